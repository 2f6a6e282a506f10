/**
 * The server's core, shared by `cavas server` and `cavas worker`: turn scan requests into
 * jobs, run a job (pull, inventory, match, store), refresh the advisory DB and re-match
 * every stored inventory when it changed, and turn what changed into events and
 * notifications. The HTTP layer and the queue only call in here.
 */
import { existsSync } from 'node:fs';
import { AdvisoryDb } from '../advisory/store.js';
import { updateDatabase } from '../advisory/update.js';
import type { RegistryOptions } from '../image/source.js';
import { getReporter } from '../report/index.js';
import { scan, summarize } from '../scan.js';
import { SCAN_RESULT_SCHEMA, type Finding, type ScanResult } from '../types.js';
import { advisoryDbPath } from '../util/cache-dir.js';
import { describeError } from '../util/errors.js';
import { CAVAS_VERSION } from '../util/version.js';
import { CachingLookup } from './advisory-lookup.js';
import { PackageMatchCache } from './match-cache.js';
import { scanCountsData } from './notify/events.js';
import type { RefreshResult, ScanRequest } from './deps.js';
import type { ServerMetrics } from './metrics.js';
import type { EventRecord, FindingDiff, FindingRecord, NewEvent, ScanRecord } from './model.js';
import type { JobContext, JobQueue, ScanJobData } from './queue/queue.js';
import type { Store } from './store/store.js';

/** How many inventories one re-match transaction covers: big enough to amortise, small enough to bound memory. */
export const REMATCH_BATCH = 200;

const FINGERPRINT_KEY = 'advisory_fingerprint';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** What the notifier must offer: the service only hands it events. */
export interface EventSink {
  notify(events: EventRecord[]): Promise<void>;
}

export interface ServiceOptions {
  store: Store;
  queue: JobQueue;
  metrics?: ServerMetrics;
  notifier?: EventSink;
  /** Holds the advisory DB and the per-layer cache. */
  cacheDir: string;
  /** Where advisory refreshes read from (a mirror dir or URL); upstream when absent. */
  mirror?: string;
  registry?: RegistryOptions;
  logger: Logger;
  clock?: () => Date;
}

export class ScanService {
  private refreshing: Promise<RefreshResult> | undefined;
  private readonly clock: () => Date;

  constructor(private readonly opts: ServiceOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * A digest already stored needs no pull: its inventory is shared, so a second push under
   * another tag only records the tag. Everything else becomes a job.
   */
  async requestScan(req: ScanRequest): Promise<ScanRecord> {
    const { store, queue } = this.opts;
    const now = this.now();
    if (req.digest) {
      await store.upsertImage({ registry: req.registry, repository: req.repository, digest: req.digest, mediaType: req.mediaType, tag: req.tag }, now);
      if (await store.hasInventory(req.digest)) {
        const rec = await store.createScan({ ...scanFields(req), requestedAt: now });
        await store.updateScan(rec.id, { status: 'done', digest: req.digest, reused: true, finishedAt: now });
        await this.emit([{ at: now, type: 'image.pushed', registry: req.registry, repository: req.repository, digest: req.digest, data: { tag: req.tag ?? null, reused: true } }]);
        return { ...rec, status: 'done', reused: true, finishedAt: now, digest: req.digest };
      }
    }
    const rec = await store.createScan({ ...scanFields(req), requestedAt: now });
    const job: ScanJobData = { scanId: rec.id, reference: req.reference, registry: req.registry, repository: req.repository };
    if (req.tag) job.tag = req.tag;
    if (req.digest) job.digest = req.digest;
    const { duplicate } = await queue.enqueue(job);
    if (duplicate) {
      // the same digest is already queued or running: that job's result serves this request too
      await store.updateScan(rec.id, { status: 'done', reused: true, finishedAt: now });
      return { ...rec, status: 'done', reused: true, finishedAt: now };
    }
    return rec;
  }

  /**
   * One scan job. Idempotent: a retry after a crash finds the stored inventory and stops,
   * and storing is one transaction keyed by digest, so nothing is stored twice.
   */
  async runScanJob(job: ScanJobData, ctx: JobContext): Promise<void> {
    const { store, logger } = this.opts;
    const started = Date.now();
    logger.info({ scanId: job.scanId, reference: job.reference, attempt: ctx.attempt }, 'scan started');
    await store.updateScan(job.scanId, { status: 'running' });
    try {
      if (job.digest && (await store.hasInventory(job.digest))) {
        await store.updateScan(job.scanId, { status: 'done', digest: job.digest, reused: true, finishedAt: this.now() });
        this.opts.metrics?.observeScan((Date.now() - started) / 1000, 'reused');
        return;
      }
      const result = await scan(job.reference, { cacheDir: this.opts.cacheDir, registry: this.opts.registry, now: this.clock() });
      // an index push is stored under the index digest: that is what the registry and its users name
      const digest = job.digest ?? result.image.manifestDigest ?? result.image.configDigest;
      const now = this.now();
      await store.upsertImage({ registry: job.registry, repository: job.repository, digest, tag: job.tag }, now);
      const existed = await store.hasInventory(digest);
      const layers = result.image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, ...(l.createdBy ? { createdBy: l.createdBy } : {}) }));
      const diff = await store.saveScan({ digest, image: result.image, inventory: result.inventory, scannedAt: now }, layers, result.findings, now);
      const events: NewEvent[] = [
        { at: now, type: 'image.scanned', registry: job.registry, repository: job.repository, digest, data: { scanId: job.scanId, tag: job.tag ?? null, packages: result.inventory.packages.length, ...scanCountsData(result.findings), findings: result.findings.length, warnings: result.warnings.length } },
      ];
      // a first scan is one event; a re-scan of a known digest reports what changed
      if (existed) events.push(...diffEvents(diff, job, now));
      await this.emit(events);
      await store.updateScan(job.scanId, { status: 'done', digest, finishedAt: this.now() });
      this.opts.metrics?.observeScan((Date.now() - started) / 1000, 'done');
      logger.info({ scanId: job.scanId, reference: job.reference, digest, findings: result.findings.length, attempt: ctx.attempt, ms: Date.now() - started }, 'scan done');
    } catch (e) {
      const message = describeError(e);
      await store.updateScan(job.scanId, { status: 'failed', error: message, finishedAt: this.now() }).catch(() => {});
      await this.emit([{ at: this.now(), type: 'scan.failed', registry: job.registry, repository: job.repository, ...(job.digest ? { digest: job.digest } : {}), data: { scanId: job.scanId, reference: job.reference, error: message, attempt: ctx.attempt } }]).catch(() => {});
      this.opts.metrics?.observeScan((Date.now() - started) / 1000, 'failed');
      logger.warn({ scanId: job.scanId, reference: job.reference, attempt: ctx.attempt, err: message }, 'scan failed');
      throw e;
    }
  }

  /** Refresh the advisory DB; when any source changed, re-match every stored inventory. One at a time. */
  refreshAdvisories(): Promise<RefreshResult> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<RefreshResult> {
    const started = Date.now();
    const report = await updateDatabase({ cacheDir: this.opts.cacheDir, mirror: this.opts.mirror });
    for (const w of report.warnings) this.opts.logger.warn({ warning: w }, 'advisory update');
    return this.rematchIfChanged(started);
  }

  /**
   * Re-match when the advisory DB differs from the one the stored findings were matched
   * against: after a refresh, and at start (a `cavas db update` may have run meanwhile).
   */
  async rematchIfChanged(started = Date.now()): Promise<RefreshResult> {
    const { store } = this.opts;
    const current = this.fingerprint();
    const builtAt = current?.builtAt ?? '';
    const unchanged = (): RefreshResult => ({ changed: false, builtAt, rematched: 0, events: 0, durationMs: Date.now() - started });
    if (!current) return unchanged();
    // several server replicas share one store: one of them re-matches, the others see its fingerprint
    const done = await store.exclusive('rematch', async () => {
      if ((await store.getMeta(FINGERPRINT_KEY)) === current.value) return unchanged();
      const { rematched, events } = await this.rematchAll();
      await store.setMeta(FINGERPRINT_KEY, current.value);
      await this.emit([{ at: this.now(), type: 'db.updated', data: { builtAt, rematched, findingEvents: events } }]);
      return { changed: true, builtAt, rematched, events, durationMs: Date.now() - started };
    });
    if (done) return done;
    this.opts.logger.info({ builtAt }, 'another process is re-matching; skipped');
    return unchanged();
  }

  /** Advisory sources by content hash: equal fingerprints mean equal advisories. */
  private fingerprint(): { value: string; builtAt: string } | undefined {
    const path = advisoryDbPath(this.opts.cacheDir);
    if (!existsSync(path)) return undefined;
    const db = AdvisoryDb.open(path);
    try {
      const status = db.status();
      const value = status.sources.map((s) => `${s.feed}/${s.name}:${s.sha256}`).sort().join('\n');
      return { value, builtAt: status.builtAt };
    } finally {
      db.close();
    }
  }

  /**
   * Every stored inventory against the current advisories, a batch per transaction,
   * without pulling any image. Only vulnerability findings are compared: config, secret
   * and malware findings do not depend on advisories.
   */
  async rematchAll(): Promise<{ rematched: number; events: number }> {
    const { store, metrics } = this.opts;
    const started = Date.now();
    const db = AdvisoryDb.open(advisoryDbPath(this.opts.cacheDir));
    const matcher = new PackageMatchCache(new CachingLookup(db));
    let rematched = 0;
    let eventCount = 0;
    try {
      let after: string | undefined;
      for (;;) {
        const page = await store.listInventories(after, REMATCH_BATCH);
        if (page.length === 0) break;
        const batch = page.map((inv) => ({ digest: inv.digest, findings: matcher.match(inv.inventory) as Finding[], kinds: ['vulnerability' as const] }));
        const now = this.now();
        const diffs = await store.syncFindings(batch, now);
        const changed = diffs.filter((diff) => diff.added.length + diff.nowFixable.length + diff.gone.length > 0);
        const where = await store.firstImageOf(changed.map((diff) => diff.digest));
        const events: NewEvent[] = [];
        for (const diff of changed) events.push(...diffEvents(diff, where.get(diff.digest) ?? {}, now));
        eventCount += events.length;
        await this.emit(events);
        rematched += page.length;
        after = page[page.length - 1]!.digest;
        if (page.length < REMATCH_BATCH) break;
      }
    } finally {
      db.close();
    }
    metrics?.observeRematch((Date.now() - started) / 1000, rematched);
    this.opts.logger.info({ rematched, events: eventCount, ms: Date.now() - started }, 're-match done');
    return { rematched, events: eventCount };
  }

  /** CycloneDX of a stored inventory, with its open vulnerabilities. */
  async sbom(digest: string): Promise<string | undefined> {
    const { store } = this.opts;
    const inv = await store.getInventory(digest);
    if (!inv) return undefined;
    const findings = (await store.findingsOf(digest, { open: true, kind: 'vulnerability' })).map((f) => f.finding);
    const result: ScanResult = {
      schema: SCAN_RESULT_SCHEMA,
      tool: { name: 'cavas', version: CAVAS_VERSION },
      scannedAt: inv.scannedAt,
      image: inv.image,
      scanners: ['vuln'],
      inventory: inv.inventory,
      findings,
      summary: summarize(inv.inventory.packages.length, findings),
      warnings: [],
    };
    return getReporter('cyclonedx').render(result, { color: false });
  }

  /**
   * After a restart with the in-process queue, scans left queued or running were lost
   * with the old process: queue them again (the job is idempotent).
   */
  async requeue(scans: ScanRecord[]): Promise<number> {
    let n = 0;
    for (const s of scans) {
      const job: ScanJobData = { scanId: s.id, reference: s.reference, registry: s.registry, repository: s.repository };
      if (s.tag) job.tag = s.tag;
      if (s.digest) job.digest = s.digest;
      await this.opts.store.updateScan(s.id, { status: 'queued' });
      if (!(await this.opts.queue.enqueue(job)).duplicate) n++;
    }
    return n;
  }

  /** Store events, then hand them to the notifier without holding up the caller. */
  private async emit(events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const stored = await this.opts.store.addEvents(events);
    const notifier = this.opts.notifier;
    if (notifier) {
      notifier.notify(stored).catch((e: unknown) => this.opts.logger.error({ err: describeError(e) }, 'notification failed'));
    }
  }
}

function scanFields(req: ScanRequest): Omit<ScanRecord, 'id' | 'status' | 'requestedAt'> {
  const out: Omit<ScanRecord, 'id' | 'status' | 'requestedAt'> = { reference: req.reference, registry: req.registry, repository: req.repository, reason: req.reason };
  if (req.tag) out.tag = req.tag;
  if (req.digest) out.digest = req.digest;
  return out;
}

/** What a finding event carries: enough for a notification without another lookup. */
export function findingEventData(rec: FindingRecord): Record<string, unknown> {
  return {
    finding: {
      kind: rec.kind,
      id: rec.id,
      severity: rec.severity,
      package: rec.packageName ?? null,
      purl: rec.purl ?? null,
      installedVersion: rec.installedVersion ?? null,
      fixedVersion: rec.fixedVersion ?? null,
      kev: rec.kev,
      path: rec.path ?? null,
      firstSeen: rec.firstSeen,
      fixedAt: rec.fixedAt ?? null,
    },
  };
}

function diffEvents(diff: FindingDiff, where: { registry?: string; repository?: string }, at: string): NewEvent[] {
  const base = { at, digest: diff.digest, ...(where.registry ? { registry: where.registry } : {}), ...(where.repository ? { repository: where.repository } : {}) };
  const one = (type: NewEvent['type'], rec: FindingRecord): NewEvent => ({ ...base, type, findingId: rec.id, severity: rec.severity, data: findingEventData(rec) });
  return [...diff.added.map((r) => one('finding.new', r)), ...diff.nowFixable.map((r) => one('finding.fixable', r)), ...diff.gone.map((r) => one('finding.gone', r))];
}
