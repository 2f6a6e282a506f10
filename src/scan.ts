/**
 * The scan pipeline as a library call: read the image, list its packages, match them
 * against the advisory store. The CLI and the server both call this.
 */
import { AdvisoryDb, type DbStatus } from './advisory/store.js';
import type { DecompressionLimits } from './image/decompress.js';
import type { PullProgress, RegistryOptions } from './image/source.js';
import { inventoryImage } from './inventory.js';
import { filterFindings, type FindingFilter } from './match/filter.js';
import { matchInventory } from './match/matcher.js';
import { SCAN_RESULT_SCHEMA, SEVERITY_ORDER, type ScanResult, type ScanSummary, type Severity, type VulnerabilityFinding } from './types.js';
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
  /** Fixed clock for reproducible output and tests. */
  now?: Date;
}

export async function scan(target: string, opts: ScanOptions = {}): Promise<ScanResult> {
  // open the DB first: a missing DB is a set-up error worth reporting before reading a big image
  const cacheDir = resolveCacheDir(opts.cacheDir);
  const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
  try {
    const { image, inventory, warnings } = await inventoryImage(target, {
      platform: opts.platform,
      limits: opts.limits,
      cacheDir,
      registry: opts.registry,
      progress: opts.progress,
      extractors: opts.extractors,
    });
    const all = matchInventory(inventory, db, warnings);
    const findings = filterFindings(all, opts);
    const status = db.status();
    return {
      schema: SCAN_RESULT_SCHEMA,
      tool: { name: 'cavas', version: CAVAS_VERSION },
      scannedAt: (opts.now ?? new Date()).toISOString(),
      image,
      inventory,
      findings,
      summary: summarize(inventory.packages.length, findings),
      db: { builtAt: status.builtAt, sources: sourcesByFeed(status.sources) },
      warnings,
    };
  } finally {
    db.close();
  }
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

export function summarize(packages: number, findings: VulnerabilityFinding[]): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  return { packages, findings: findings.length, bySeverity, fixable: findings.filter((f) => f.status === 'fixed').length };
}
