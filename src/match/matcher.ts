/**
 * Matches an inventory against the advisory store: one batched lookup per (ecosystem,
 * release), then per package every statement is evaluated with the ecosystem's version
 * scheme and statements about the same vulnerability are merged into one finding.
 */
import type { AffectedPackage } from '../advisory/model.js';
import { describeError } from '../util/errors.js';
import { getScheme } from '../version/index.js';
import { severityRank, type Inventory, type Package, type Severity, type VulnerabilityFinding } from '../types.js';
import { evaluateAffected } from './affects.js';
import type { MatchTarget } from './target.js';
import { ecosystemTargets } from './targets/index.js';
import { vulnerabilityKeys } from './vuln-key.js';

/** One advisory statement as the store returns it. */
export interface AdvisoryRecord {
  id: string;
  source: string;
  aliases: string[];
  summary?: string;
  severity?: Severity;
  cvssVector?: string;
  cvssScore?: number;
  withdrawn?: string;
  affected: AffectedPackage;
}

/** What the matcher needs from the store; kept narrow so tests can feed records directly. */
export interface AdvisoryLookup {
  findAffected(ecosystem: string, distro: string, packageNames: string[]): AdvisoryRecord[];
  kevSet(cves: string[]): Set<string>;
}

interface Statement {
  record: AdvisoryRecord;
  rank: number;
  affected: boolean;
  fixedVersion?: string;
}

export function matchInventory(inventory: Inventory, db: AdvisoryLookup, warnings: string[]): VulnerabilityFinding[] {
  const targets = new Map<Package, MatchTarget>();
  const unmatched = new Map<string, number>();
  for (const pkg of inventory.packages) {
    const eco = ecosystemTargets.get(pkg.ecosystem);
    const target = eco?.target(pkg, inventory.os);
    if (target) targets.set(pkg, target);
    else {
      const reason = eco ? eco.unsupportedReason(inventory.os) : `${pkg.ecosystem} packages are not matched yet`;
      unmatched.set(reason, (unmatched.get(reason) ?? 0) + 1);
    }
  }
  for (const [reason, count] of unmatched) warnings.push(`${count} package(s) not checked for vulnerabilities: ${reason}`);

  const recordsByTarget = lookupAll([...targets.values()], db);
  const findings: VulnerabilityFinding[] = [];
  const unreadable = new Map<string, { count: number; example: string }>();
  for (const [pkg, target] of targets) {
    const records = recordsByTarget.get(groupKey(target))?.get(target.name) ?? [];
    findings.push(...findingsForPackage(pkg, target, records, unreadable));
  }
  for (const [eco, { count, example }] of unreadable) {
    warnings.push(`${count} ${eco} advisory statement(s) skipped: versions that cannot be compared (e.g. ${example})`);
  }
  const kev = db.kevSet([...new Set(findings.map((f) => f.id))]);
  for (const f of findings) f.kev = kev.has(f.id);
  return sortFindings(findings);
}

function groupKey(t: MatchTarget): string {
  return `${t.ecosystem}\u0000${t.distro}`;
}

/** One store query per (ecosystem, release) with every package name of that group. */
function lookupAll(targets: MatchTarget[], db: AdvisoryLookup): Map<string, Map<string, AdvisoryRecord[]>> {
  const groups = new Map<string, { ecosystem: string; distro: string; names: Set<string> }>();
  for (const t of targets) {
    const key = groupKey(t);
    const g = groups.get(key) ?? { ecosystem: t.ecosystem, distro: t.distro, names: new Set<string>() };
    g.names.add(t.name);
    groups.set(key, g);
  }
  const result = new Map<string, Map<string, AdvisoryRecord[]>>();
  for (const [key, g] of groups) {
    const byName = new Map<string, AdvisoryRecord[]>();
    for (const r of db.findAffected(g.ecosystem, g.distro, [...g.names])) {
      const list = byName.get(r.affected.package) ?? [];
      list.push(r);
      byName.set(r.affected.package, list);
    }
    result.set(key, byName);
  }
  return result;
}

function findingsForPackage(pkg: Package, target: MatchTarget, records: AdvisoryRecord[], unreadable: Map<string, { count: number; example: string }>): VulnerabilityFinding[] {
  if (records.length === 0) return [];
  const eco = ecosystemTargets.get(target.ecosystem)!;
  let scheme;
  try {
    scheme = getScheme(target.ecosystem);
  } catch (e) {
    unreadable.set(target.ecosystem, { count: (unreadable.get(target.ecosystem)?.count ?? 0) + records.length, example: describeError(e) });
    return [];
  }
  const byKey = new Map<string, Statement[]>();
  for (const record of records) {
    if (record.withdrawn) continue;
    let verdict;
    try {
      verdict = evaluateAffected(record.affected, target.version, scheme);
    } catch (e) {
      // one advisory with a version the scheme cannot order must not hide the others
      const seen = unreadable.get(target.ecosystem);
      if (seen) seen.count++;
      else unreadable.set(target.ecosystem, { count: 1, example: `${record.id}: ${describeError(e)}` });
      continue;
    }
    const statement: Statement = { record, rank: eco.rank(record.source, record.id), affected: verdict.affected };
    if (verdict.affected && verdict.fixedVersion !== undefined) statement.fixedVersion = verdict.fixedVersion;
    for (const key of vulnerabilityKeys(record.id, record.aliases)) {
      const list = byKey.get(key) ?? [];
      list.push(statement);
      byKey.set(key, list);
    }
  }
  const findings: VulnerabilityFinding[] = [];
  for (const [key, statements] of byKey) {
    const best = Math.min(...statements.map((s) => s.rank));
    const deciding = statements.filter((s) => s.rank === best);
    const affected = deciding.filter((s) => s.affected);
    if (affected.length === 0) continue;
    findings.push(buildFinding(key, pkg, statements, affected, scheme.compare.bind(scheme), new Set(byKey.keys())));
  }
  return findings;
}

function buildFinding(
  key: string,
  pkg: Package,
  all: Statement[],
  affected: Statement[],
  compare: (a: string, b: string) => number,
  ownKeys: ReadonlySet<string>,
): VulnerabilityFinding {
  // the lowest fix among the deciding statements is the first version free of it
  const fixes = affected.map((s) => s.fixedVersion).filter((v): v is string => v !== undefined);
  const fixedVersion = fixes.length > 0 ? fixes.reduce((a, b) => (compare(a, b) <= 0 ? a : b)) : undefined;

  const aliases = new Set<string>();
  for (const s of all) {
    if (s.record.id !== key) aliases.add(s.record.id);
    for (const a of s.record.aliases) {
      // DEBIAN-CVE-X of another CVE X belongs to that CVE's finding
      const own = vulnerabilityKeys(a, []);
      if (a !== key && (own[0] === key || own[0] === a)) aliases.add(a);
    }
  }
  // other CVEs of a bundle advisory (a DSA) are findings of their own, not aliases
  for (const a of [...aliases]) if (a !== key && ownKeys.has(a)) aliases.delete(a);

  const vendor = affected.map((s) => s.record.affected.vendorSeverity).find((v) => v !== undefined && v !== 'UNKNOWN');
  const withCvss = all.find((s) => s.record.cvssVector !== undefined);
  const withSeverity = all.find((s) => s.record.severity !== undefined && s.record.severity !== 'UNKNOWN');
  let severity: Severity = 'UNKNOWN';
  let severitySource: VulnerabilityFinding['severitySource'];
  if (vendor) {
    severity = vendor;
    severitySource = 'vendor';
  } else if (withSeverity?.record.severity) {
    severity = withSeverity.record.severity;
    severitySource = withSeverity.record.cvssVector ? 'cvss' : 'advisory';
  }
  const title = (affected.find((s) => s.record.summary) ?? all.find((s) => s.record.summary))?.record.summary;

  const finding: VulnerabilityFinding = {
    kind: 'vulnerability',
    id: key,
    aliases: [...aliases].sort(),
    severity,
    package: { name: pkg.name, version: pkg.version, ecosystem: pkg.ecosystem, purl: pkg.purl },
    installedVersion: pkg.version,
    fixedVersion: fixedVersion ?? 'unfixed',
    status: fixedVersion ? 'fixed' : 'unfixed',
    kev: false,
    sources: [...new Set(affected.map((s) => s.record.source))].sort(),
    layer: pkg.layer,
  };
  if (pkg.source) finding.package.source = pkg.source;
  if (title) finding.title = title;
  if (severitySource) finding.severitySource = severitySource;
  if (withCvss?.record.cvssVector) {
    finding.cvss = { vector: withCvss.record.cvssVector };
    if (withCvss.record.cvssScore !== undefined) finding.cvss.score = withCvss.record.cvssScore;
  }
  return finding;
}

// localeCompare(x, locales, options) builds a collator per call; these are the same collators, built once
const byName = new Intl.Collator().compare;
const byId = new Intl.Collator('en', { numeric: true }).compare;

export function sortFindings(findings: VulnerabilityFinding[]): VulnerabilityFinding[] {
  return findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || byName(a.package.name, b.package.name) || byId(a.id, b.id));
}
