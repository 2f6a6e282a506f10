/**
 * `--format junit`: JUnit XML, so CI systems show findings as failed tests. One
 * <testsuite> per kind that was scanned; one failing <testcase> per finding; a kind with
 * no findings gets one passing test case, so CI shows the check ran.
 */
import type { RuleFinding, ScanResult, VulnerabilityFinding } from '../types.js';
import { configFindings, malwareFindings, secretFindings, vulnerabilityFindings } from './kinds.js';
import { findingLocation } from './location.js';
import { compareFindings, compareRuleFindings } from './order.js';
import type { Reporter } from './reporter.js';

// Characters XML 1.0 does not allow at all, not even as character references; lone surrogates included.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: invalid characters become U+FFFD; CR is kept as a reference so parsers do not fold it. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[c]!);
}

/** Attribute values: also quotes, and whitespace as references so attribute normalisation keeps it. */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/["'\n\t]/g, (c) => ({ '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\t': '&#9;' })[c]!);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; body: string };
}

function vulnCase(f: VulnerabilityFinding): Case {
  const fixed = f.status === 'fixed' ? `fixed in ${f.fixedVersion}` : 'no fix available';
  const body = [
    `${f.id} in ${f.package.name} ${f.installedVersion} (${f.package.ecosystem}): ${f.severity}, ${fixed}`,
    ...(f.title ? [`Title: ${f.title}`] : []),
    ...(f.aliases.length > 0 ? [`Aliases: ${f.aliases.join(', ')}`] : []),
    ...(f.cvss ? [`CVSS: ${f.cvss.vector}${f.cvss.score !== undefined ? ` (${f.cvss.score})` : ''}`] : []),
    ...(f.kev ? ['Known exploited (CISA KEV)'] : []),
    `Package: ${f.package.purl}`,
    `Layer: ${f.layer}`,
    `Sources: ${f.sources.join(', ')}`,
  ];
  return {
    classname: f.package.name,
    name: `${f.id} ${f.package.name} ${f.installedVersion}`,
    failure: { message: oneLine(`${f.id}: ${f.title ?? fixed}`), type: f.severity, body: body.join('\n') },
  };
}

function ruleCase(f: RuleFinding): Case {
  const where = findingLocation(f);
  const body = [
    `${f.ruleId} (${f.severity}): ${f.title}`,
    f.message,
    ...(where ? [`Where: ${where}`] : []),
    ...(f.kind === 'secret' ? [`Match: ${f.match}`] : []),
    ...(f.kind === 'malware' ? [`Signature: ${f.signature} (${f.engine})`, ...(f.sha256 ? [`SHA-256: ${f.sha256}`] : [])] : []),
    `Remediation: ${f.remediation}`,
    ...(f.references.length > 0 ? [`References: ${f.references.join(', ')}`] : []),
  ];
  return {
    classname: f.ruleId,
    name: where ? `${f.ruleId} ${where}` : f.ruleId,
    failure: { message: oneLine(f.message), type: f.severity, body: body.join('\n') },
  };
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlAttr(oneLine(c.classname))}" name="${xmlAttr(oneLine(c.name))}"`;
  if (!c.failure) return `${open}/>`;
  const { message, type, body } = c.failure;
  return [
    `${open}>`,
    `      <failure message="${xmlAttr(message)}" type="${xmlAttr(type)}">${xmlText(body)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function suiteXml(name: string, cases: readonly Case[], errors: readonly string[] = []): string {
  const failures = cases.filter((c) => c.failure).length;
  const attrs = `name="${xmlAttr(name)}" tests="${cases.length + errors.length}" failures="${failures}" errors="${errors.length}" skipped="0"`;
  const errorCases = errors.map(
    (e) =>
      `    <testcase classname="cavas" name="scan incomplete">\n      <error message="${xmlAttr(oneLine(e))}" type="error">${xmlText(e)}</error>\n    </testcase>`,
  );
  return [`  <testsuite ${attrs}>`, ...cases.map(caseXml), ...errorCases, '  </testsuite>'].join('\n');
}

function renderJunit(result: ScanResult): string {
  const scanned = new Set(result.scanners ?? ['vuln']);
  const kinds: Array<[string, string, Case[], string]> = [
    ['vuln', 'vulnerabilities', [...vulnerabilityFindings(result.findings)].sort(compareFindings).map(vulnCase), 'no vulnerabilities found'],
    ['config', 'config', [...configFindings(result.findings)].sort(compareRuleFindings).map(ruleCase), 'no configuration defects found'],
    ['secret', 'secrets', [...secretFindings(result.findings)].sort(compareRuleFindings).map(ruleCase), 'no secrets found'],
    ['malware', 'malware', [...malwareFindings(result.findings)].sort(compareRuleFindings).map(ruleCase), 'no malware found'],
  ];
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [scanner, name, cases, none] of kinds) {
    if (!scanned.has(scanner)) continue;
    const shown = cases.length > 0 ? cases : [{ classname: `cavas.${name}`, name: none }];
    tests += shown.length;
    failures += cases.length;
    suites.push(suiteXml(name, shown));
  }
  // Checks that could not finish (clamd unreachable) are CI errors, not a green run.
  const errors = result.errors ?? [];
  if (errors.length > 0) {
    tests += errors.length;
    suites.push(suiteXml('scan', [], errors));
  }
  const root = `<testsuites name="${xmlAttr(`cavas ${result.image.ref}`)}" tests="${tests}" failures="${failures}" errors="${errors.length}">`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', root, ...suites, '</testsuites>'].join('\n') + '\n';
}

export const junitReporter: Reporter = {
  name: 'junit',
  description: 'JUnit XML for CI: one test suite per kind of check, one failed test case per finding',
  render: (result) => renderJunit(result),
};
