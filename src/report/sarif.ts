/**
 * `--format sarif`: a SARIF 2.1.0 log for code scanning dashboards (GitHub code scanning
 * and the like). One run; one rule per vulnerability id and per config/secret/malware rule;
 * one result per finding, located at a file inside the image (relative to the IMAGEROOT
 * base) or, for image config fields, at a logical location.
 */
import { createHash } from 'node:crypto';
import { cvssBaseScore } from '../advisory/cvss.js';
import { ruleInfo } from '../check/catalog.js';
import type { Package, RuleFinding, ScanResult, Severity, VulnerabilityFinding } from '../types.js';
import { advisorySource } from './advisory-source.js';
import { compareFindings, compareRuleFindings } from './order.js';
import type { Reporter } from './reporter.js';

const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const URI_BASE = 'IMAGEROOT';
/** Bump when the fingerprint inputs change, so dashboards see new keys rather than silently different values. */
const FINGERPRINT_KEY = 'cavasFinding/v1';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, Level>> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  NEGLIGIBLE: 'note',
  UNKNOWN: 'note',
};

// GitHub reads properties.security-severity as a CVSS-like number (>= 9 critical, >= 7 high,
// >= 4 medium, > 0 low); these sit inside those bands for findings without a score.
const SEVERITY_SCORE: Readonly<Record<Severity, number>> = {
  CRITICAL: 9.5,
  HIGH: 8.0,
  MEDIUM: 5.5,
  LOW: 2.0,
  NEGLIGIBLE: 0,
  UNKNOWN: 0,
};

interface Message {
  text: string;
  markdown?: string;
}

interface SarifRule {
  id: string;
  shortDescription: Message;
  fullDescription?: Message;
  helpUri?: string;
  help: Message;
  defaultConfiguration: { level: Level };
  properties: { 'security-severity': string; tags: string[]; [key: string]: unknown };
}

interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number };
  };
  logicalLocations?: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: Message;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

function fingerprint(parts: ReadonlyArray<string | number | undefined>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** A root-relative path inside the image as a relative URI reference (each segment percent-encoded). */
function imageUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function fileLocation(path: string, line?: number): SarifLocation {
  const physicalLocation: NonNullable<SarifLocation['physicalLocation']> = { artifactLocation: { uri: imageUri(path), uriBaseId: URI_BASE } };
  if (line !== undefined && line >= 1) physicalLocation.region = { startLine: line };
  return { physicalLocation };
}

/**
 * A finding with no file in the image (a config field such as config.User, a package no file
 * declares) still needs a physicalLocation: GitHub code scanning shows only results that have
 * one. It names the image itself, as other image scanners do, and keeps the logical location.
 */
function imageLocation(result: ScanResult, logical: NonNullable<SarifLocation['logicalLocations']>[number]): SarifLocation {
  // a relative URI inside the repository: no transport prefix, no leading / or ../
  const ref = result.image.ref
    .replace(/^[a-z-]+:(?!\/\/)/, '')
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.' && seg !== '..')
    .join('/');
  return { physicalLocation: { artifactLocation: { uri: imageUri(ref || 'image') }, region: { startLine: 1 } }, logicalLocations: [logical] };
}

function scoreText(score: number): string {
  return score.toFixed(1);
}

function cvssScore(f: VulnerabilityFinding): number | undefined {
  if (!f.cvss) return undefined;
  return f.cvss.score ?? cvssBaseScore(f.cvss.vector)?.score;
}

function listing(names: Iterable<string>): string {
  const all = [...names];
  const last = all.pop() ?? '';
  return all.length > 0 ? `${all.join(', ')} and ${last}` : last;
}

/** Upgrade advice for every package a vulnerability id was found in. */
function advice(findings: readonly VulnerabilityFinding[]): string {
  const byFix = new Map<string, Set<string>>();
  const unfixed = new Set<string>();
  for (const f of findings) {
    if (f.status === 'fixed') byFix.set(f.fixedVersion, (byFix.get(f.fixedVersion) ?? new Set<string>()).add(f.package.name));
    else unfixed.add(f.package.name);
  }
  const parts = [...byFix].map(([version, names]) => `Upgrade ${listing(names)} to ${version} or later.`);
  if (unfixed.size > 0) parts.push(`No fixed version of ${listing(unfixed)} is available yet.`);
  return parts.join(' ');
}

function vulnerabilityRule(id: string, findings: readonly VulnerabilityFinding[]): SarifRule {
  // findings are sorted worst first, so [0] carries the severity the rule defaults to.
  const worst = findings[0]!;
  const title = findings.find((f) => f.title)?.title;
  const scores = findings.map(cvssScore).filter((s): s is number => s !== undefined);
  const score = scores.length > 0 ? Math.max(...scores) : SEVERITY_SCORE[worst.severity];
  const url = advisorySource(id)?.url;
  const fix = advice(findings);
  const ecosystems = [...new Set(findings.map((f) => f.package.ecosystem))].sort();
  const rule: SarifRule = {
    id,
    shortDescription: { text: title ?? id },
    help: {
      text: url ? `${fix} See ${url}` : fix,
      markdown: url ? `${fix}\n\n[${id}](${url})` : fix,
    },
    defaultConfiguration: { level: LEVEL[worst.severity] },
    properties: { 'security-severity': scoreText(score), tags: ['security', 'vulnerability', ...ecosystems] },
  };
  if (title) rule.fullDescription = { text: title };
  if (url) rule.helpUri = url;
  const aliases = [...new Set(findings.flatMap((f) => f.aliases))].filter((a) => a !== id).sort();
  if (aliases.length > 0) rule.properties.aliases = aliases;
  return rule;
}

function checkRule(f: RuleFinding): SarifRule {
  const info = ruleInfo(f.ruleId);
  const severity = info?.severity ?? f.severity;
  const remediation = info?.remediation ?? f.remediation;
  const references = info ? [...info.references] : f.references;
  const refs = references.length > 0 ? ` References: ${references.join('; ')}.` : '';
  return {
    id: f.ruleId,
    shortDescription: { text: info?.title ?? f.title },
    help: {
      text: remediation + refs,
      markdown: references.length > 0 ? `${remediation}\n\nReferences:\n${references.map((r) => `- ${r}`).join('\n')}` : remediation,
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { 'security-severity': scoreText(SEVERITY_SCORE[severity]), tags: ['security', info?.kind ?? f.kind] },
  };
}

function layerProperties(result: ScanResult, layer: number | undefined, removedInLayer?: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const digest = (i: number) => result.image.layers.find((l) => l.index === i)?.digest;
  if (layer !== undefined) {
    out.layer = layer;
    const d = digest(layer);
    if (d) out.layerDigest = d;
  }
  if (removedInLayer !== undefined) {
    out.removedInLayer = removedInLayer;
    const d = digest(removedInLayer);
    if (d) out.removedInLayerDigest = d;
  }
  return out;
}

/** The inventory entry a finding is about: same purl, preferring the one from the finding's layer. */
function declaringPackage(packages: readonly Package[], f: VulnerabilityFinding): Package | undefined {
  const same = packages.filter((p) => p.purl === f.package.purl);
  return same.find((p) => p.layer === f.layer) ?? same[0];
}

function vulnerabilityResult(result: ScanResult, f: VulnerabilityFinding, ruleIndex: number): SarifResult {
  const pkg = declaringPackage(result.inventory.packages, f);
  const path = pkg?.paths[0];
  const fixed = f.status === 'fixed' ? `fixed in ${f.fixedVersion}` : 'no fixed version yet';
  const kev = f.kev ? ', known exploited (CISA KEV)' : '';
  const location: SarifLocation = path
    ? fileLocation(path)
    : imageLocation(result, { name: f.package.name, fullyQualifiedName: f.package.purl, kind: 'module' });
  const properties: Record<string, unknown> = {
    severity: f.severity,
    purl: f.package.purl,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    ...layerProperties(result, f.layer),
  };
  if (f.kev) properties.kev = true;
  return {
    ruleId: f.id,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.package.name} ${f.installedVersion}: ${f.id} (${f.severity}), ${fixed}${kev}` },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint([f.id, f.package.ecosystem, f.package.name, f.installedVersion, path]) },
    properties,
  };
}

function ruleResult(result: ScanResult, f: RuleFinding, ruleIndex: number): SarifResult {
  let location: SarifLocation;
  if (f.path !== undefined) location = fileLocation(f.path, f.line);
  else {
    const field = f.field ?? 'config';
    location = imageLocation(result, { name: field, fullyQualifiedName: field, kind: 'member' });
  }
  const properties: Record<string, unknown> = { severity: f.severity, ...layerProperties(result, f.layer, f.removedInLayer) };
  if (f.kind === 'malware') {
    properties.signature = f.signature;
    properties.engine = f.engine;
    if (f.sha256) properties.sha256 = f.sha256;
    if (f.member) properties.member = f.member;
  }
  const member = f.kind === 'malware' ? f.member : undefined;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint([f.ruleId, f.path ?? f.field, f.line, member]) },
    properties,
  };
}

/** The SARIF log as a plain object; exposed so tests can inspect it without re-parsing. */
export function buildSarif(result: ScanResult): Record<string, unknown> {
  const vulns = result.findings.filter((f): f is VulnerabilityFinding => f.kind === 'vulnerability').sort(compareFindings);
  const checks = result.findings.filter((f): f is RuleFinding => f.kind !== 'vulnerability').sort(compareRuleFindings);

  // Rules in the order their first result appears, which is the sorted finding order.
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const byId = new Map<string, VulnerabilityFinding[]>();
  for (const f of vulns) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  for (const [id, group] of byId) {
    ruleIndex.set(id, rules.length);
    rules.push(vulnerabilityRule(id, group));
  }
  for (const f of checks) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push(checkRule(f));
  }

  const results = [
    ...vulns.map((f) => vulnerabilityResult(result, f, ruleIndex.get(f.id)!)),
    ...checks.map((f) => ruleResult(result, f, ruleIndex.get(f.ruleId)!)),
  ];

  const image = result.image;
  const p = image.platform;
  const runProperties: Record<string, unknown> = {
    imageRef: image.ref,
    tags: image.tags,
    configDigest: image.configDigest,
    platform: [p.os, p.architecture, p.variant].filter(Boolean).join('/'),
  };
  if (image.manifestDigest) runProperties.manifestDigest = image.manifestDigest;
  const os = result.inventory.os;
  if (os) runProperties.os = os.prettyName ?? `${os.id} ${os.version}`;

  const notifications = [
    ...result.warnings.map((text) => ({ level: 'warning', message: { text } })),
    ...(result.errors ?? []).map((text) => ({ level: 'error', message: { text } })),
  ];

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'cavas', version: result.tool.version, rules } },
        invocations: [
          {
            // Incomplete checks (clamd unreachable) make the run unsuccessful, as the JSON result's errors do.
            executionSuccessful: (result.errors ?? []).length === 0,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        originalUriBaseIds: {
          [URI_BASE]: { uri: 'file:///', description: { text: 'The root of the scanned image filesystem.' } },
        },
        results,
        properties: runProperties,
      },
    ],
  };
}

export const sarifReporter: Reporter = {
  name: 'sarif',
  description: 'SARIF 2.1.0 JSON for code scanning dashboards: one result per finding, located in the image',
  render(result) {
    return JSON.stringify(buildSarif(result), null, 2) + '\n';
  },
};
