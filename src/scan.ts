/**
 * The scan pipeline as a library call: read the image once, list its packages, match them
 * against the advisory store, and run the config, secret and malware checks on what the
 * same walk saw. An `sbom:FILE` target lists the packages from the SBOM instead, and only
 * the matching applies. The CLI and the server both call this.
 */
import { existsSync } from 'node:fs';
import { AdvisoryDb, type DbStatus } from './advisory/store.js';
import { readHashFile } from './advisory/feeds/malware-hashes.js';
import type { MalwareHash } from './advisory/model.js';
import { checkClaims, DEFAULT_SCANNERS, layerScanners, runChecks, type CheckOptions, type ScannerName } from './check/index.js';
import type { HashLookup } from './check/malware/findings.js';
import { redactImage } from './check/redact-image.js';
import { openClamd } from './check/malware/clamd/tolerant.js';
import type { SecretScanOptions } from './check/secret/scanner.js';
import type { DecompressionLimits } from './image/decompress.js';
import type { PullProgress, RegistryOptions } from './image/source.js';
import { inventoryImage, type ImageInventory } from './inventory.js';
import { filterFindings, type FindingFilter } from './match/filter.js';
import { matchInventory } from './match/matcher.js';
import { readIgnoreFile } from './policy/ignore-file.js';
import { remediationPlan } from './remediation/plan.js';
import { readOpenVex } from './policy/openvex.js';
import { applySuppressions, expiredEntries } from './policy/suppress.js';
import { readSbomTarget, sbomFile, sbomScanners } from './sbom/target.js';
import { SCAN_RESULT_SCHEMA, SEVERITY_ORDER, type Finding, type ImageMeta, type RemediationSummary, type ScanResult, type ScanSummary, type Severity, type SuppressedFinding } from './types.js';
import { advisoryDbPath, resolveCacheDir } from './util/cache-dir.js';
import { CAVAS_VERSION } from './util/version.js';

export interface ScanOptions extends FindingFilter {
  cacheDir?: string;
  /** os/arch[/variant]; default the host's. */
  platform?: string;
  limits?: DecompressionLimits;
  registry?: RegistryOptions;
  progress?: PullProgress;
  /** Run only these extractors (by name); default all. */
  extractors?: readonly string[];
  /** What to look for; default DEFAULT_SCANNERS (all four). */
  scanners?: readonly ScannerName[];
  secret?: SecretScanOptions;
  /** clamd address (unix:/path or tcp://host:port): also scan every file with ClamAV. */
  clamd?: string;
  /** Extra known-malware hash list (sha256sum lines or MalwareBazaar CSV). */
  malwareHashes?: string;
  /** A .cavasignore file: findings accepted on purpose, each with a reason and maybe an expiry. */
  ignoreFile?: string;
  /** OpenVEX documents whose not_affected / fixed statements suppress findings. */
  vexFiles?: readonly string[];
  /** Fixed clock for reproducible output and tests (also decides which ignore entries expired). */
  now?: Date;
}

export async function scan(target: string, opts: ScanOptions = {}): Promise<ScanResult> {
  // sbom:FILE stands in for the image walk: its packages are matched, nothing else is looked at
  const sbom = sbomFile(target);
  const sbomNotes: string[] = [];
  const scanners = sbom === undefined ? new Set<ScannerName>(opts.scanners ?? DEFAULT_SCANNERS) : sbomScanners(opts.scanners, sbomNotes);
  const cacheDir = resolveCacheDir(opts.cacheDir);
  const dbPath = advisoryDbPath(cacheDir);
  // open the DB first: a missing DB is a set-up error worth reporting before reading a big image.
  // Malware hash lists live in it too, but a malware-only scan can do without them.
  const db = scanners.has('vuln') || (scanners.has('malware') && existsSync(dbPath)) ? AdvisoryDb.open(dbPath) : undefined;
  const errors: string[] = [];
  const clamd = scanners.has('malware') && opts.clamd ? await openClamd(opts.clamd, errors) : undefined;
  try {
    const extraHashes = opts.malwareHashes && scanners.has('malware') ? await readHashFile(opts.malwareHashes) : undefined;
    const checks: CheckOptions = { scanners, secret: opts.secret, clamd };
    const walked = sbom === undefined ? await walkImage(target, opts, cacheDir, checks) : undefined;
    const { image, inventory, warnings } = walked ?? (await readSbomTarget(target, opts, sbomNotes));
    const found: Finding[] = scanners.has('vuln') && db ? matchInventory(inventory, db, warnings) : [];
    if (walked) {
      const { fs, layers, owners } = walked;
      found.push(...runChecks({ image, fs, inventory, layers, owners, malwareLookup: hashLookup(db, extraHashes) }, checks));
      for (const layer of layers) warnings.push(...scannerWarnings(layer.scans));
    }
    if (clamd) errors.push(...clamd.failures());
    const now = opts.now ?? new Date();
    const { kept, suppressed } = await suppress(found, opts, now, image, warnings);
    const findings = filterFindings(kept, opts);
    const result: ScanResult = {
      schema: SCAN_RESULT_SCHEMA,
      tool: { name: 'cavas', version: CAVAS_VERSION },
      scannedAt: now.toISOString(),
      image: redactImage(image),
      scanners: SCANNER_ORDER.filter((s) => scanners.has(s)),
      inventory,
      findings,
      summary: summarize(inventory.packages.length, findings),
      warnings,
    };
    if (db) {
      const status = db.status();
      result.db = { builtAt: status.builtAt, sources: sourcesByFeed(status.sources) };
    }
    if (errors.length > 0) result.errors = errors;
    if (scanners.has('vuln')) result.remediation = remediationSummary(result);
    if (suppressed.length > 0) {
      result.suppressed = suppressed;
      result.summary.suppressed = suppressed.length;
    }
    return result;
  } finally {
    db?.close();
    await clamd?.close();
  }
}

/** One read of the image: its packages, and what the checks need (files, layers, owners). */
function walkImage(target: string, opts: ScanOptions, cacheDir: string, checks: CheckOptions): Promise<ImageInventory> {
  return inventoryImage(target, {
    platform: opts.platform,
    limits: opts.limits,
    cacheDir,
    registry: opts.registry,
    progress: opts.progress,
    extractors: opts.extractors,
    extraClaims: checkClaims(checks),
    scanners: layerScanners(checks),
  });
}

/** Risk acceptance: .cavasignore entries and OpenVEX statements take findings out, with their reason kept. */
async function suppress(found: Finding[], opts: ScanOptions, now: Date, image: ImageMeta, warnings: string[]): Promise<{ kept: Finding[]; suppressed: SuppressedFinding[] }> {
  if (!opts.ignoreFile && !opts.vexFiles?.length) return { kept: found, suppressed: [] };
  const ignore = opts.ignoreFile ? await readIgnoreFile(opts.ignoreFile) : [];
  const vex = (await Promise.all((opts.vexFiles ?? []).map((f) => readOpenVex(f)))).flat();
  for (const e of expiredEntries(ignore, now)) {
    warnings.push(`${e.source}: the entry for ${e.id} expired on ${e.expires}; its findings are reported again`);
  }
  const imageDigests = [image.manifestDigest, image.configDigest].filter((d): d is string => !!d);
  return applySuppressions(found, { ignore, vex }, now, { imageDigests });
}

function remediationSummary(result: ScanResult): RemediationSummary {
  const plan = remediationPlan(result);
  return {
    baseLayers: plan.base.baseLayers,
    evidence: plan.base.evidence,
    updatedBase: plan.totals.updatedBase,
    baseUnfixed: plan.totals.baseUnfixed,
    appChanges: plan.totals.appChanges,
    packages: plan.packages.map((p) => {
      const out: RemediationSummary['packages'][number] = { purl: p.purl, name: p.name, installedVersion: p.installedVersion, origin: p.origin, unfixed: p.unfixed };
      if (p.fixAllVersion !== undefined) out.fixAllVersion = p.fixAllVersion;
      return out;
    }),
  };
}

const SCANNER_ORDER: readonly ScannerName[] = ['vuln', 'config', 'secret', 'malware'];

function hashLookup(db: AdvisoryDb | undefined, extra: ReadonlyMap<string, MalwareHash> | undefined): HashLookup {
  return (hashes) => {
    const found = db ? db.malwareByHash(hashes) : new Map<string, { name: string; source: string }>();
    if (extra) {
      for (const h of hashes) {
        const e = extra.get(h);
        if (e && !found.has(h)) found.set(h, { name: e.name, source: e.source });
      }
    }
    return found;
  };
}

/** Scanners note what they could not look into (an unreadable archive) beside their results. */
function scannerWarnings(scans: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  for (const r of Object.values(scans ?? {})) {
    const w = (r as { warnings?: unknown } | null)?.warnings;
    if (Array.isArray(w)) out.push(...w.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

/** The store keeps one row per downloaded file; a report names the feeds. */
function sourcesByFeed(files: DbStatus['sources']): NonNullable<ScanResult['db']>['sources'] {
  const byFeed = new Map<string, { name: string; records: number; fetchedAt: string }>();
  for (const f of files) {
    const seen = byFeed.get(f.feed);
    if (!seen) byFeed.set(f.feed, { name: f.feed, records: f.records, fetchedAt: f.fetchedAt });
    else {
      seen.records += f.records;
      if (f.fetchedAt > seen.fetchedAt) seen.fetchedAt = f.fetchedAt;
    }
  }
  return [...byFeed.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function summarize(packages: number, findings: readonly Finding[]): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  const byKind: Record<Finding['kind'], number> = { vulnerability: 0, config: 0, secret: 0, malware: 0 };
  for (const f of findings) {
    bySeverity[f.severity]++;
    byKind[f.kind]++;
  }
  const fixable = findings.filter((f) => f.kind === 'vulnerability' && f.status === 'fixed').length;
  return { packages, findings: findings.length, bySeverity, byKind, fixable };
}
