/**
 * `--format table`: what a person reads in a terminal.
 */
import Table from 'cli-table3';
import { BOLD, clean, paint as paintIf, SEVERITY_COLOR } from './terminal.js';
import { SEVERITY_ORDER, type Finding, type RuleFinding, type ScanResult, type Severity, type VulnerabilityFinding } from '../types.js';
import { configFindings, malwareFindings, secretFindings, vulnerabilityFindings } from './kinds.js';
import { compareFindings, compareRuleFindings } from './order.js';
import { findingLocation } from './location.js';
import { groupByTarget } from './targets.js';
import type { Reporter, RenderOptions } from './reporter.js';

const TITLE_MAX = 60;

const KEV_COLOR = '\x1b[1;35m';

function paint(text: string, code: string, opts: RenderOptions): string {
  return paintIf(text, code, opts.color);
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('').trimEnd() + '…';
}

function headerLine(result: ScanResult): string {
  const os = result.inventory.os;
  const osName = os ? (os.prettyName ?? `${os.id} ${os.version}`) : 'unknown';
  const n = result.inventory.packages.length;
  return `Image: ${clean(result.image.ref)}  OS: ${clean(osName)}  Packages: ${n}`;
}

function summaryLine(findings: readonly Finding[]): string {
  const counts = new Map<Severity, number>(SEVERITY_ORDER.map((s) => [s, 0]));
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const bySeverity = SEVERITY_ORDER.map((s) => `${s}: ${counts.get(s) ?? 0}`).join(', ');
  const fixable = vulnerabilityFindings(findings).filter((f) => f.status === 'fixed').length;
  return `Total: ${findings.length} (${bySeverity}), fixable: ${fixable}`;
}

function vulnerabilityTable(findings: readonly VulnerabilityFinding[], opts: RenderOptions): string {
  const head = ['Package', 'Installed', 'Fixed', 'Severity', 'ID', 'Title', 'Layer'];
  const table = new Table({
    head: head.map((h) => paint(h, BOLD, opts)),
    // cli-table3 colours head and border by default; colour is ours to decide.
    // Compact (no rule between rows) keeps long lists readable.
    style: { head: [], border: [], compact: true },
  });
  for (const f of [...findings].sort(compareFindings)) {
    const id = clean(f.id) + (f.kev ? ' ' + paint('KEV', KEV_COLOR, opts) : '');
    table.push([
      clean(f.package.name),
      clean(f.installedVersion),
      clean(f.fixedVersion),
      paint(f.severity, SEVERITY_COLOR[f.severity], opts),
      id,
      truncate(clean(f.title ?? ''), TITLE_MAX),
      String(f.layer),
    ]);
  }
  return table.toString();
}

/** One table per target (OS packages, each application root), each under a heading with its counts. */
function targetTables(vulns: readonly VulnerabilityFinding[], result: ScanResult, opts: RenderOptions): string {
  return groupByTarget(vulns, result.inventory)
    .map((t) => `${paint(t.title, BOLD, opts)}\n${summaryLine(t.findings)}\n${vulnerabilityTable(t.findings, opts)}`)
    .join('\n\n');
}

const MESSAGE_MAX = 80;

function ruleTable(findings: readonly RuleFinding[], opts: RenderOptions): string {
  const table = new Table({
    head: ['Severity', 'Rule', 'Where', 'Message'].map((h) => paint(h, BOLD, opts)),
    style: { head: [], border: [], compact: true },
  });
  for (const f of [...findings].sort(compareRuleFindings)) {
    table.push([paint(f.severity, SEVERITY_COLOR[f.severity], opts), clean(f.ruleId), clean(findingLocation(f)), truncate(clean(f.message), MESSAGE_MAX)]);
  }
  return table.toString();
}

/**
 * Each kind of finding gets its own section, so a vulnerability list is not broken up by a
 * Dockerfile nit; headings appear once more than one kind was looked for.
 */
function sections(result: ScanResult, opts: RenderOptions): string[] {
  const scanned = new Set(result.scanners ?? ['vuln']);
  const blocks: Array<[string, string]> = [];
  const vulns = vulnerabilityFindings(result.findings);
  if (scanned.has('vuln')) blocks.push(['Vulnerabilities', vulns.length > 0 ? targetTables(vulns, result, opts) : 'No vulnerabilities found.']);
  const ruleSections: Array<[string, string, RuleFinding[], string]> = [
    ['config', 'Configuration', configFindings(result.findings), 'No configuration defects found.'],
    ['secret', 'Secrets', secretFindings(result.findings), 'No secrets found.'],
    ['malware', 'Malware', malwareFindings(result.findings), 'No malware found.'],
  ];
  for (const [scanner, title, found, none] of ruleSections) {
    if (scanned.has(scanner)) blocks.push([title, found.length > 0 ? ruleTable(found, opts) : none]);
  }
  if (blocks.length === 1) return [blocks[0]![1]];
  return blocks.flatMap(([title, body], i) => (i === 0 ? [paint(title, BOLD, opts), body] : ['', paint(title, BOLD, opts), body]));
}

/** Where the work is: a rebuild on a fresh base image, or the application's own layers. */
function remediationLine(result: ScanResult): string | undefined {
  const r = result.remediation;
  if (!r || r.updatedBase + r.baseUnfixed + r.appChanges === 0) return undefined;
  const base = r.baseLayers === 0 ? 'no layer is known to come from a base image' : `base image = layer${r.baseLayers > 1 ? `s 0-${r.baseLayers - 1}` : ' 0'}`;
  return `Remediation (${base}): ${r.updatedBase} vulnerabilities go away by rebuilding on an updated base image (${r.baseUnfixed} more in it have no fix yet); ${r.appChanges} need changes in the application's own layers.`;
}

function renderTable(result: ScanResult, opts: RenderOptions): string {
  const lines: string[] = [headerLine(result), '', ...sections(result, opts)];
  if (result.findings.length > 0) lines.push(summaryLine(result.findings));
  const fix = remediationLine(result);
  if (fix) lines.push(fix);
  if (result.warnings.length > 0) {
    lines.push('', `Warnings (${result.warnings.length}):`, ...result.warnings.map((w) => `  - ${clean(w)}`));
  }
  return lines.join('\n') + '\n';
}

export const tableReporter: Reporter = {
  name: 'table',
  description: 'a table of findings for people, sorted by severity',
  render: renderTable,
};
