/**
 * The Store on any SqlDriver: one implementation, SQL in the dialect SQLite and PostgreSQL
 * share. Row-by-row work is avoided where volume lives (findings: a re-match of every
 * stored inventory syncs millions of them): reads and writes go in multi-row statements.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../../types.js';
import { SEVERITY_ORDER, severityRank } from '../../types.js';
import type {
  DeliveryRecord,
  EventRecord,
  FindingDiff,
  FindingRecord,
  ImageRecord,
  LayerRecord,
  NewEvent,
  NewSubscription,
  ScanRecord,
  ScanStatus,
  StoredInventory,
  Subscription,
  TokenRecord,
  TokenScope,
} from '../model.js';
import { findingKey } from './finding-key.js';
import { migrate } from './migrations.js';
import type { SqlDriver, SqlValue } from './sql-driver.js';
import { chunk, placeholders, valueRows } from './sql-driver.js';
import type { EventQuery, FindingQuery, FindingSync, ImageQuery, Store } from './store.js';
import { PostgresDriver } from './postgres-driver.js';

/** Keys of PostgreSQL advisory locks (the two-int form; migrations use the one-int form). */
const LOCK_CLASS_DIGEST = 0x63617662;
const LOCK_EVENTS = 0x63617663;

const DEFAULT_LIMIT = 100;

type Row = Record<string, unknown>;

// ---------------------------------------------------------------- rows and records

const IMAGE_SELECT = `SELECT i.id, i.registry, i.repository, i.digest, i.media_type, i.first_seen, i.last_seen, inv.scanned_at
FROM images i LEFT JOIN inventories inv ON inv.digest = i.digest`;

interface ImageRow {
  id: number;
  registry: string;
  repository: string;
  digest: string;
  media_type: string | null;
  first_seen: string;
  last_seen: string;
  scanned_at: string | null;
}

const FINDING_COLUMNS = 'id, digest, key, kind, finding_id, severity, purl, package_name, installed_version, fixed_version, kev, path, first_seen, fixed_at, finding_json';

interface FindingRow {
  id: number;
  digest: string;
  key: string;
  kind: Finding['kind'];
  finding_id: string;
  severity: Severity;
  purl: string | null;
  package_name: string | null;
  installed_version: string | null;
  fixed_version: string | null;
  kev: number;
  path: string | null;
  first_seen: string;
  fixed_at: string | null;
  finding_json: string;
}

/**
 * The searchable columns of a finding; finding_json keeps the whole of it. `path` is the file
 * for rule findings, else the config field (config.User) they point at.
 */
type FindingColumns = Pick<FindingRecord, 'kind' | 'id' | 'severity' | 'purl' | 'packageName' | 'installedVersion' | 'fixedVersion' | 'kev' | 'path'>;

function columnsOf(f: Finding): FindingColumns {
  if (f.kind === 'vulnerability') {
    return {
      kind: f.kind,
      id: f.id,
      severity: f.severity,
      purl: f.package.purl,
      packageName: f.package.name,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion,
      kev: f.kev,
    };
  }
  return { kind: f.kind, id: f.ruleId, severity: f.severity, path: f.path ?? f.field, kev: false };
}

/** Optional fields are left out rather than set to undefined, the same way for every source. */
function withOptional<T extends object>(base: T, optional: Record<string, unknown>): T {
  const out = base as Record<string, unknown>;
  for (const [k, v] of Object.entries(optional)) if (v !== undefined && v !== null) out[k] = v;
  return base;
}

function recordOf(digest: string, key: string, c: FindingColumns, finding: Finding, firstSeen: string, fixedAt?: string): FindingRecord {
  return withOptional<FindingRecord>(
    { key, digest, kind: c.kind, id: c.id, severity: c.severity, kev: c.kev, firstSeen, finding } as FindingRecord,
    { purl: c.purl, packageName: c.packageName, installedVersion: c.installedVersion, fixedVersion: c.fixedVersion, path: c.path, fixedAt },
  );
}

function findingRecord(r: FindingRow): FindingRecord {
  return withOptional<FindingRecord>(
    {
      key: r.key,
      digest: r.digest,
      kind: r.kind,
      id: r.finding_id,
      severity: r.severity,
      kev: Number(r.kev) === 1,
      firstSeen: r.first_seen,
      finding: JSON.parse(r.finding_json) as Finding,
    } as FindingRecord,
    {
      purl: r.purl,
      packageName: r.package_name,
      installedVersion: r.installed_version,
      fixedVersion: r.fixed_version,
      path: r.path,
      fixedAt: r.fixed_at,
    },
  );
}

function bySeverityThenId(a: FindingRecord, b: FindingRecord): number {
  return severityRank(a.severity) - severityRank(b.severity) || cmp(a.id, b.id) || cmp(a.key, b.key);
}

/** Code-point order: the same on both backends, whatever the database collation. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hashOf(json: string): string {
  return createHash('sha1').update(json).digest('base64');
}

function eventRecord(r: Row): EventRecord {
  return withOptional<EventRecord>(
    { id: Number(r.id), at: r.at as string, type: r.type as EventRecord['type'], data: JSON.parse(r.data_json as string) as Record<string, unknown> },
    { registry: r.registry, repository: r.repository, digest: r.digest, findingId: r.finding_id, severity: r.severity },
  );
}

function scanRecord(r: Row): ScanRecord {
  return withOptional<ScanRecord>(
    {
      id: Number(r.id),
      reference: r.reference as string,
      registry: r.registry as string,
      repository: r.repository as string,
      reason: r.reason as ScanRecord['reason'],
      status: r.status as ScanStatus,
      requestedAt: r.requested_at as string,
    },
    { tag: r.tag, digest: r.digest, finishedAt: r.finished_at, error: r.error, reused: r.reused === null || r.reused === undefined ? undefined : Number(r.reused) === 1 },
  );
}

function subscriptionRecord(r: Row): Subscription {
  return withOptional<Subscription>(
    {
      id: Number(r.id),
      name: r.name as string,
      kind: r.kind as Subscription['kind'],
      url: r.url as string,
      onlyFixable: Number(r.only_fixable) === 1,
      onlyKev: Number(r.only_kev) === 1,
      createdAt: r.created_at as string,
    },
    { secret: r.secret, repositoryPattern: r.repository_pattern, minSeverity: r.min_severity },
  );
}

function deliveryRecord(r: Row): DeliveryRecord {
  return withOptional<DeliveryRecord>(
    {
      id: Number(r.id),
      subscriptionId: Number(r.subscription_id),
      eventIds: JSON.parse(r.event_ids_json as string) as number[],
      status: r.status as DeliveryRecord['status'],
      attempts: Number(r.attempts),
      createdAt: r.created_at as string,
    },
    { responseStatus: r.response_status === null ? undefined : Number(r.response_status), lastError: r.last_error, deliveredAt: r.delivered_at },
  );
}

function tokenRecord(r: Row): TokenRecord {
  return withOptional<TokenRecord>(
    { id: Number(r.id), name: r.name as string, scope: r.scope as TokenScope, createdAt: r.created_at as string },
    { lastUsedAt: r.last_used_at },
  );
}

function storedInventory(r: Row): StoredInventory {
  return {
    digest: r.digest as string,
    image: JSON.parse(r.image_json as string) as StoredInventory['image'],
    inventory: JSON.parse(r.inventory_json as string) as StoredInventory['inventory'],
    scannedAt: r.scanned_at as string,
  };
}

/** LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// ---------------------------------------------------------------- sync internals

interface FreshFinding {
  key: string;
  finding: Finding;
  columns: FindingColumns;
  json: string;
  hash: string;
}

interface OpenRow {
  id: number;
  digest: string;
  key: string;
  kind: Finding['kind'];
  fixed_version: string | null;
  first_seen: string;
  finding_hash: string;
}

/**
 * A frozen finding cannot change, so its serialisation is worked out once: a re-match shares
 * one frozen finding between every inventory holding the same package entry.
 */
const prepared = new WeakMap<Finding, FreshFinding>();

function prepare(finding: Finding, key: string): FreshFinding {
  const json = JSON.stringify(finding);
  const f: FreshFinding = { key, finding, columns: columnsOf(finding), json, hash: hashOf(json) };
  if (Object.isFrozen(finding)) prepared.set(finding, f);
  return f;
}

const INSERT_FINDING_COLUMNS = 14;
const UPDATE_FINDING_COLUMNS = 9;

export class SqlStore implements Store {
  constructor(readonly driver: SqlDriver) {}

  get backend(): 'sqlite' | 'postgres' {
    return this.driver.backend;
  }

  async migrate(): Promise<void> {
    await migrate(this.driver);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /** Locks held by this process; PostgreSQL adds a session lock for other processes. */
  private readonly held = new Set<string>();

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.held.has(name)) return undefined;
    this.held.add(name);
    try {
      // one SQLite file serves one server process: the in-process set is the whole lock
      if (this.driver instanceof PostgresDriver) return await this.driver.withSessionLock(`cavas:${name}`, fn);
      return await fn();
    } finally {
      this.held.delete(name);
    }
  }

  async ping(): Promise<void> {
    await this.driver.get('SELECT 1 AS ok');
  }

  // ---------------------------------------------------------------- images

  /** Tags, scan time and open-finding counts for a page of images: one query each, not per image. */
  private async hydrate(db: SqlDriver, rows: ImageRow[]): Promise<ImageRecord[]> {
    if (rows.length === 0) return [];
    const digests = [...new Set(rows.map((r) => r.digest))];
    const tags = new Map<string, string[]>();
    const counts = new Map<string, Record<Severity, number>>();
    for (const part of chunk(digests, 1, 1000)) {
      const tagRows = await db.all<{ registry: string; repository: string; tag: string; digest: string }>(
        `SELECT registry, repository, tag, digest FROM tags WHERE digest IN (${placeholders(part.length)})`,
        part,
      );
      for (const t of tagRows) {
        const k = `${t.registry}\0${t.repository}\0${t.digest}`;
        tags.set(k, [...(tags.get(k) ?? []), t.tag]);
      }
      const countRows = await db.all<{ digest: string; severity: Severity; n: number }>(
        `SELECT digest, severity, COUNT(*) AS n FROM findings WHERE fixed_at IS NULL AND digest IN (${placeholders(part.length)}) GROUP BY digest, severity`,
        part,
      );
      for (const c of countRows) {
        let rec = counts.get(c.digest);
        if (!rec) counts.set(c.digest, (rec = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>));
        rec[c.severity] = (rec[c.severity] ?? 0) + Number(c.n);
      }
    }
    const zero = (): Record<Severity, number> => Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
    return rows.map((r) => {
      const scannedAt = r.scanned_at ?? undefined;
      const imageCounts = counts.get(r.digest) ?? (scannedAt ? zero() : undefined);
      return withOptional<ImageRecord>(
        {
          id: Number(r.id),
          registry: r.registry,
          repository: r.repository,
          digest: r.digest,
          tags: (tags.get(`${r.registry}\0${r.repository}\0${r.digest}`) ?? []).sort(cmp),
          firstSeen: r.first_seen,
          lastSeen: r.last_seen,
        },
        { mediaType: r.media_type, scannedAt, counts: imageCounts },
      );
    });
  }

  async upsertImage(
    image: { registry: string; repository: string; digest: string; mediaType?: string; tag?: string },
    now: string,
  ): Promise<ImageRecord> {
    return this.driver.transaction(async (tx) => {
      // last_seen only moves forward, so a late-processed older event cannot turn it back.
      await tx.run(
        `INSERT INTO images (registry, repository, digest, media_type, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (registry, repository, digest) DO UPDATE SET
  last_seen = CASE WHEN excluded.last_seen > images.last_seen THEN excluded.last_seen ELSE images.last_seen END,
  media_type = COALESCE(excluded.media_type, images.media_type)`,
        [image.registry, image.repository, image.digest, image.mediaType, now, now],
      );
      if (image.tag !== undefined) {
        // Likewise a tag only moves to a digest seen at the same time or later.
        await tx.run(
          `INSERT INTO tags (registry, repository, tag, digest, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (registry, repository, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
WHERE excluded.updated_at >= tags.updated_at`,
          [image.registry, image.repository, image.tag, image.digest, now],
        );
      }
      const row = await tx.get<ImageRow>(`${IMAGE_SELECT} WHERE i.registry = ? AND i.repository = ? AND i.digest = ?`, [image.registry, image.repository, image.digest]);
      if (!row) throw new Error(`image ${image.registry}/${image.repository}@${image.digest} vanished after upsert`);
      const [record] = await this.hydrate(tx, [row]);
      return record!;
    });
  }

  async getImage(id: number): Promise<ImageRecord | undefined> {
    const row = await this.driver.get<ImageRow>(`${IMAGE_SELECT} WHERE i.id = ?`, [id]);
    return row ? (await this.hydrate(this.driver, [row]))[0] : undefined;
  }

  async findImages(query: ImageQuery): Promise<{ total: number; images: ImageRecord[] }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.q) {
      // Also matches a digest (prefix or whole): what users paste from `docker images --digests`.
      const pattern = containsPattern(query.q);
      where.push(`(lower(i.registry || '/' || i.repository) LIKE ? ESCAPE '\\'
  OR lower(i.digest) LIKE ? ESCAPE '\\'
  OR EXISTS (SELECT 1 FROM tags t WHERE t.registry = i.registry AND t.repository = i.repository AND t.digest = i.digest AND lower(t.tag) LIKE ? ESCAPE '\\'))`);
      params.push(pattern, pattern, pattern);
    }
    if (query.repository !== undefined) {
      where.push('i.repository = ?');
      params.push(query.repository);
    }
    const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = await this.driver.get<{ n: number }>(`SELECT COUNT(*) AS n FROM images i${whereSql}`, params);
    const rows = await this.driver.all<ImageRow>(`${IMAGE_SELECT}${whereSql} ORDER BY i.last_seen DESC, i.id DESC LIMIT ? OFFSET ?`, [
      ...params,
      query.limit ?? DEFAULT_LIMIT,
      query.offset ?? 0,
    ]);
    return { total: Number(total?.n ?? 0), images: await this.hydrate(this.driver, rows) };
  }

  async imagesByDigest(digest: string): Promise<ImageRecord[]> {
    const rows = await this.driver.all<ImageRow>(`${IMAGE_SELECT} WHERE i.digest = ? ORDER BY i.id`, [digest]);
    return this.hydrate(this.driver, rows);
  }

  async firstImageOf(digests: string[]): Promise<Map<string, { registry: string; repository: string }>> {
    const out = new Map<string, { registry: string; repository: string }>();
    for (const part of chunk([...new Set(digests)], 1, 1000)) {
      const rows = await this.driver.all<{ digest: string; registry: string; repository: string }>(
        `SELECT digest, registry, repository FROM images WHERE digest IN (${placeholders(part.length)}) ORDER BY id`,
        part,
      );
      for (const r of rows) if (!out.has(r.digest)) out.set(r.digest, { registry: r.registry, repository: r.repository });
    }
    return out;
  }

  async tagDigest(registry: string, repository: string, tag: string): Promise<string | undefined> {
    const row = await this.driver.get<{ digest: string }>('SELECT digest FROM tags WHERE registry = ? AND repository = ? AND tag = ?', [registry, repository, tag]);
    return row?.digest;
  }

  // ---------------------------------------------------------------- inventories

  async hasInventory(digest: string): Promise<boolean> {
    return (await this.driver.get('SELECT 1 AS found FROM inventories WHERE digest = ?', [digest])) !== undefined;
  }

  async saveScan(inv: StoredInventory, layers: LayerRecord[], findings: Finding[], now: string): Promise<FindingDiff> {
    return this.driver.transaction(async (tx) => {
      await this.lockDigests(tx, [inv.digest]);
      await tx.run(
        `INSERT INTO inventories (digest, image_json, inventory_json, scanned_at) VALUES (?, ?, ?, ?)
ON CONFLICT (digest) DO UPDATE SET image_json = excluded.image_json, inventory_json = excluded.inventory_json, scanned_at = excluded.scanned_at`,
        [inv.digest, JSON.stringify(inv.image), JSON.stringify(inv.inventory), inv.scannedAt],
      );
      // Sorted, so concurrent scans sharing layers insert them in one order and never deadlock.
      const unique = [...new Map(layers.map((l) => [l.digest, l])).values()].sort((a, b) => cmp(a.digest, b.digest));
      for (const part of chunk(unique, 4)) {
        await tx.run(
          `INSERT INTO layers (digest, diff_id, size, created_by) VALUES ${valueRows(part.length, 4)} ON CONFLICT (digest) DO NOTHING`,
          part.flatMap((l) => [l.digest, l.diffId, l.size, l.createdBy]),
        );
      }
      await tx.run('DELETE FROM inventory_layers WHERE inventory_digest = ?', [inv.digest]);
      const positions = layers.map((l, index) => ({ index, digest: l.digest }));
      for (const part of chunk(positions, 3)) {
        await tx.run(
          `INSERT INTO inventory_layers (inventory_digest, idx, layer_digest) VALUES ${valueRows(part.length, 3)}`,
          part.flatMap((p) => [inv.digest, p.index, p.digest]),
        );
      }
      const [diff] = await this.sync(tx, [{ digest: inv.digest, findings }], now);
      return diff!;
    });
  }

  async getInventory(digest: string): Promise<StoredInventory | undefined> {
    const row = await this.driver.get<Row>('SELECT digest, image_json, inventory_json, scanned_at FROM inventories WHERE digest = ?', [digest]);
    return row ? storedInventory(row) : undefined;
  }

  async layersOf(digest: string): Promise<Array<LayerRecord & { index: number }>> {
    const rows = await this.driver.all<Row>(
      `SELECT il.idx, l.digest, l.diff_id, l.size, l.created_by FROM inventory_layers il JOIN layers l ON l.digest = il.layer_digest
WHERE il.inventory_digest = ? ORDER BY il.idx`,
      [digest],
    );
    return rows.map((r) =>
      withOptional<LayerRecord & { index: number }>(
        { index: Number(r.idx), digest: r.digest as string, diffId: r.diff_id as string, size: Number(r.size) },
        { createdBy: r.created_by },
      ),
    );
  }

  async listInventories(afterDigest: string | undefined, limit: number): Promise<StoredInventory[]> {
    const rows =
      afterDigest === undefined
        ? await this.driver.all<Row>('SELECT digest, image_json, inventory_json, scanned_at FROM inventories ORDER BY digest LIMIT ?', [limit])
        : await this.driver.all<Row>('SELECT digest, image_json, inventory_json, scanned_at FROM inventories WHERE digest > ? ORDER BY digest LIMIT ?', [afterDigest, limit]);
    return rows.map(storedInventory);
  }

  async countInventories(): Promise<number> {
    const row = await this.driver.get<{ n: number }>('SELECT COUNT(*) AS n FROM inventories');
    return Number(row?.n ?? 0);
  }

  // ---------------------------------------------------------------- findings

  syncFindings(batch: FindingSync[], now: string): Promise<FindingDiff[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.driver.transaction((tx) => this.sync(tx, batch, now));
  }

  /**
   * PostgreSQL: one transaction per digest at a time, so two workers storing the same image
   * at once cannot both insert its findings. Taken in hash order in one statement, so two
   * batches never wait on each other in a cycle. SQLite's single writer needs nothing.
   */
  private async lockDigests(tx: SqlDriver, digests: string[]): Promise<void> {
    if (tx.backend !== 'postgres' || digests.length === 0) return;
    await tx.get(
      `SELECT COUNT(pg_advisory_xact_lock(${LOCK_CLASS_DIGEST}, h)) AS n
FROM (SELECT DISTINCT hashtext(d) AS h FROM (VALUES ${valueRows(digests.length, 1)}) AS v (d) ORDER BY h) AS s`,
      digests,
    );
  }

  /** The batch in runs without a repeated digest: a later entry for a digest must see the earlier one's result. */
  private async sync(tx: SqlDriver, batch: FindingSync[], now: string): Promise<FindingDiff[]> {
    const diffs: FindingDiff[] = [];
    let run: FindingSync[] = [];
    const inRun = new Set<string>();
    for (const entry of batch) {
      if (inRun.has(entry.digest)) {
        diffs.push(...(await this.syncRun(tx, run, now)));
        run = [];
        inRun.clear();
      }
      run.push(entry);
      inRun.add(entry.digest);
    }
    diffs.push(...(await this.syncRun(tx, run, now)));
    return diffs;
  }

  private async syncRun(tx: SqlDriver, run: FindingSync[], now: string): Promise<FindingDiff[]> {
    const digests = run.map((e) => e.digest);
    await this.lockDigests(tx, digests);

    // Only what the comparison needs; full rows are read back for the few that went away.
    const open = new Map<string, OpenRow[]>();
    for (const part of chunk(digests, 1, 1000)) {
      const rows = await tx.all<OpenRow>(
        `SELECT id, digest, key, kind, fixed_version, first_seen, finding_hash FROM findings
WHERE fixed_at IS NULL AND digest IN (${placeholders(part.length)}) ORDER BY id`,
        part,
      );
      for (const r of rows) {
        const list = open.get(r.digest);
        if (list) list.push(r);
        else open.set(r.digest, [r]);
      }
    }

    const inserts: Array<{ digest: string; f: FreshFinding }> = [];
    const updates: Array<{ id: number; f: FreshFinding }> = [];
    const closing: number[] = [];
    const goneOf: Array<{ diff: FindingDiff; ids: number[] }> = [];
    const diffs: FindingDiff[] = [];

    for (const entry of run) {
      const kinds = entry.kinds ? new Set(entry.kinds) : undefined;
      const fresh = new Map<string, FreshFinding>();
      for (const finding of entry.findings) {
        if (kinds && !kinds.has(finding.kind)) continue;
        const known = prepared.get(finding);
        const key = known?.key ?? findingKey(finding);
        // Two findings with one key are one finding: the first is kept.
        if (fresh.has(key)) continue;
        fresh.set(key, known ?? prepare(finding, key));
      }
      const diff: FindingDiff = { digest: entry.digest, added: [], nowFixable: [], gone: [] };
      const stored = new Map<string, OpenRow>();
      const goneIds: number[] = [];
      for (const row of open.get(entry.digest) ?? []) {
        if (kinds && !kinds.has(row.kind)) continue;
        stored.set(row.key, row);
        if (!fresh.has(row.key)) goneIds.push(row.id);
      }
      for (const f of fresh.values()) {
        const row = stored.get(f.key);
        if (!row) {
          inserts.push({ digest: entry.digest, f });
          diff.added.push(recordOf(entry.digest, f.key, f.columns, f.finding, now));
        } else if (row.finding_hash !== f.hash) {
          updates.push({ id: Number(row.id), f });
          const fixed = f.columns.fixedVersion;
          if (row.fixed_version === 'unfixed' && fixed !== undefined && fixed !== 'unfixed') {
            diff.nowFixable.push(recordOf(entry.digest, f.key, f.columns, f.finding, row.first_seen));
          }
        }
      }
      closing.push(...goneIds);
      if (goneIds.length) goneOf.push({ diff, ids: goneIds });
      diffs.push(diff);
    }

    for (const part of chunk(inserts, INSERT_FINDING_COLUMNS)) {
      await tx.run(
        `INSERT INTO findings (digest, key, kind, finding_id, severity, purl, package_name, installed_version, fixed_version, kev, path, first_seen, finding_json, finding_hash)
VALUES ${valueRows(part.length, INSERT_FINDING_COLUMNS)}`,
        part.flatMap(({ digest, f }) => [
          digest,
          f.key,
          f.columns.kind,
          f.columns.id,
          f.columns.severity,
          f.columns.purl,
          f.columns.packageName,
          f.columns.installedVersion,
          f.columns.fixedVersion,
          f.columns.kev,
          f.columns.path,
          now,
          f.json,
          f.hash,
        ]),
      );
    }

    // Types spelled out: PostgreSQL takes untyped VALUES parameters as text.
    const updateRow = '(CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?)';
    for (const part of chunk(updates, UPDATE_FINDING_COLUMNS)) {
      await tx.run(
        `WITH v (id, severity, package_name, installed_version, fixed_version, kev, path, finding_json, finding_hash) AS (
  VALUES ${new Array<string>(part.length).fill(updateRow).join(', ')}
)
UPDATE findings SET severity = v.severity, package_name = v.package_name, installed_version = v.installed_version,
  fixed_version = v.fixed_version, kev = v.kev, path = v.path, finding_json = v.finding_json, finding_hash = v.finding_hash
FROM v WHERE findings.id = v.id`,
        part.flatMap(({ id, f }) => [
          id,
          f.columns.severity,
          f.columns.packageName,
          f.columns.installedVersion,
          f.columns.fixedVersion,
          f.columns.kev,
          f.columns.path,
          f.json,
          f.hash,
        ]),
      );
    }

    for (const part of chunk(closing, 1)) {
      await tx.run(`UPDATE findings SET fixed_at = ? WHERE id IN (${placeholders(part.length)})`, [now, ...part]);
    }
    if (goneOf.length) {
      const byId = new Map<number, FindingRecord>();
      for (const part of chunk(closing, 1)) {
        const rows = await tx.all<FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE id IN (${placeholders(part.length)})`, part);
        for (const r of rows) byId.set(Number(r.id), findingRecord(r));
      }
      for (const { diff, ids } of goneOf) for (const id of ids) diff.gone.push(byId.get(id)!);
    }

    await this.addAliases(tx, [...inserts.map((i) => i.f.finding), ...updates.map((u) => u.f.finding)]);
    return diffs;
  }

  /** Aliases of added or changed vulnerabilities; unchanged ones were recorded when first added. */
  private async addAliases(tx: SqlDriver, findings: Finding[]): Promise<void> {
    const pairs = new Set<string>();
    for (const f of findings) {
      if (f.kind !== 'vulnerability') continue;
      for (const alias of f.aliases ?? []) if (alias !== f.id) pairs.add(`${alias}\0${f.id}`);
    }
    // Sorted for the same reason as layers: concurrent inserts of one pair must not deadlock.
    const rows = [...pairs].sort(cmp).map((p) => p.split('\0') as [string, string]);
    for (const part of chunk(rows, 2)) {
      await tx.run(`INSERT INTO finding_aliases (alias, finding_id) VALUES ${valueRows(part.length, 2)} ON CONFLICT DO NOTHING`, part.flat());
    }
  }

  async findingsOf(digest: string, query: FindingQuery = {}): Promise<FindingRecord[]> {
    const params: SqlValue[] = [digest];
    let sql = `SELECT ${FINDING_COLUMNS} FROM findings WHERE digest = ?`;
    if (query.open ?? true) sql += ' AND fixed_at IS NULL';
    if (query.kind !== undefined) {
      sql += ' AND kind = ?';
      params.push(query.kind);
    }
    const rows = await this.driver.all<FindingRow>(`${sql} ORDER BY id`, params);
    return rows.map(findingRecord).sort(bySeverityThenId);
  }

  async findingsById(id: string): Promise<Array<FindingRecord & { images: ImageRecord[] }>> {
    const aliased = await this.driver.all<{ finding_id: string }>('SELECT finding_id FROM finding_aliases WHERE alias = ?', [id]);
    const ids = [...new Set([id, ...aliased.map((a) => a.finding_id)])];
    const rows = await this.driver.all<FindingRow>(
      `SELECT ${FINDING_COLUMNS} FROM findings WHERE fixed_at IS NULL AND finding_id IN (${placeholders(ids.length)}) ORDER BY id`,
      ids,
    );
    const digests = [...new Set(rows.map((r) => r.digest))];
    const images = new Map<string, ImageRecord[]>();
    for (const part of chunk(digests, 1, 1000)) {
      const imageRows = await this.driver.all<ImageRow>(`${IMAGE_SELECT} WHERE i.digest IN (${placeholders(part.length)}) ORDER BY i.id`, part);
      for (const image of await this.hydrate(this.driver, imageRows)) images.set(image.digest, [...(images.get(image.digest) ?? []), image]);
    }
    return rows.map((r) => ({ ...findingRecord(r), images: images.get(r.digest) ?? [] }));
  }

  // ---------------------------------------------------------------- scans

  async createScan(scan: Omit<ScanRecord, 'id' | 'status'>): Promise<ScanRecord> {
    const row = await this.driver.get<Row>(
      `INSERT INTO scans (reference, registry, repository, tag, digest, reason, status, requested_at, finished_at, error, reused)
VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?) RETURNING *`,
      [scan.reference, scan.registry, scan.repository, scan.tag, scan.digest, scan.reason, scan.requestedAt, scan.finishedAt, scan.error, scan.reused],
    );
    return scanRecord(row!);
  }

  async getScan(id: number): Promise<ScanRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT * FROM scans WHERE id = ?', [id]);
    return row ? scanRecord(row) : undefined;
  }

  async pendingScans(): Promise<ScanRecord[]> {
    const rows = await this.driver.all<Row>("SELECT * FROM scans WHERE status IN ('queued', 'running') ORDER BY id");
    return rows.map(scanRecord);
  }

  async updateScan(id: number, patch: { status: ScanStatus; digest?: string; error?: string; finishedAt?: string; reused?: boolean }): Promise<void> {
    const { sql, params } = setClause({
      status: patch.status,
      digest: patch.digest,
      error: patch.error,
      finished_at: patch.finishedAt,
      reused: patch.reused,
    });
    await this.driver.run(`UPDATE scans SET ${sql} WHERE id = ?`, [...params, id]);
  }

  // ---------------------------------------------------------------- events

  async addEvents(events: NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    return this.driver.transaction(async (tx) => {
      // PostgreSQL hands out sequence values outside transaction order: without this lock a
      // poller reading "id > 41" could see 43 before 42 commits and never see 42.
      if (tx.backend === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${LOCK_EVENTS}, 0) AS locked`);
      const out: EventRecord[] = [];
      for (const part of chunk(events, 8)) {
        const rows = await tx.all<{ id: number }>(
          `INSERT INTO events (at, type, registry, repository, digest, finding_id, severity, data_json) VALUES ${valueRows(part.length, 8)} RETURNING id`,
          part.flatMap((e) => [e.at, e.type, e.registry, e.repository, e.digest, e.findingId, e.severity, JSON.stringify(e.data ?? {})]),
        );
        // One statement's rows get ascending ids in VALUES order (the lock keeps them contiguous).
        const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
        part.forEach((e, i) =>
          out.push(
            withOptional<EventRecord>(
              { id: ids[i]!, at: e.at, type: e.type, data: e.data ?? {} },
              { registry: e.registry, repository: e.repository, digest: e.digest, findingId: e.findingId, severity: e.severity },
            ),
          ),
        );
      }
      return out;
    });
  }

  async listEvents(query: EventQuery): Promise<EventRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.afterId !== undefined) {
      where.push('id > ?');
      params.push(query.afterId);
    }
    if (query.types?.length) {
      where.push(`type IN (${placeholders(query.types.length)})`);
      params.push(...query.types);
    }
    if (query.digest !== undefined) {
      where.push('digest = ?');
      params.push(query.digest);
    }
    if (query.repository !== undefined) {
      where.push('repository = ?');
      params.push(query.repository);
    }
    const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const order = query.order === 'desc' ? 'DESC' : 'ASC';
    const rows = await this.driver.all<Row>(`SELECT * FROM events${whereSql} ORDER BY id ${order} LIMIT ?`, [...params, query.limit ?? DEFAULT_LIMIT]);
    return rows.map(eventRecord);
  }

  async eventsByIds(ids: readonly number[]): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (const part of chunk([...new Set(ids)], 1)) {
      const rows = await this.driver.all<Row>(`SELECT * FROM events WHERE id IN (${placeholders(part.length)}) ORDER BY id`, part);
      out.push(...rows.map(eventRecord));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  // ---------------------------------------------------------------- notifications

  async addSubscription(sub: NewSubscription, now: string): Promise<Subscription> {
    const row = await this.driver.get<Row>(
      `INSERT INTO subscriptions (name, kind, url, secret, repository_pattern, min_severity, only_fixable, only_kev, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [sub.name, sub.kind, sub.url, sub.secret, sub.repositoryPattern, sub.minSeverity, sub.onlyFixable, sub.onlyKev, now],
    );
    return subscriptionRecord(row!);
  }

  async listSubscriptions(): Promise<Subscription[]> {
    return (await this.driver.all<Row>('SELECT * FROM subscriptions ORDER BY id')).map(subscriptionRecord);
  }

  async deleteSubscription(id: number): Promise<boolean> {
    return (await this.driver.run('DELETE FROM subscriptions WHERE id = ?', [id])).changes > 0;
  }

  async addDelivery(d: Omit<DeliveryRecord, 'id'>): Promise<DeliveryRecord> {
    const row = await this.driver.get<Row>(
      `INSERT INTO deliveries (subscription_id, event_ids_json, status, attempts, response_status, last_error, created_at, delivered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [d.subscriptionId, JSON.stringify(d.eventIds), d.status, d.attempts, d.responseStatus, d.lastError, d.createdAt, d.deliveredAt],
    );
    return deliveryRecord(row!);
  }

  async updateDelivery(id: number, patch: Partial<Omit<DeliveryRecord, 'id' | 'subscriptionId' | 'eventIds' | 'createdAt'>>): Promise<void> {
    const { sql, params } = setClause({
      status: patch.status,
      attempts: patch.attempts,
      response_status: patch.responseStatus,
      last_error: patch.lastError,
      delivered_at: patch.deliveredAt,
    });
    if (!sql) return;
    await this.driver.run(`UPDATE deliveries SET ${sql} WHERE id = ?`, [...params, id]);
  }

  async listDeliveries(query: { subscriptionId?: number; status?: DeliveryRecord['status']; createdBefore?: string; limit?: number }): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.subscriptionId !== undefined) {
      where.push('subscription_id = ?');
      params.push(query.subscriptionId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.createdBefore !== undefined) {
      where.push('created_at < ?');
      params.push(query.createdBefore);
    }
    const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const rows = await this.driver.all<Row>(`SELECT * FROM deliveries${whereSql} ORDER BY id DESC LIMIT ?`, [...params, query.limit ?? DEFAULT_LIMIT]);
    return rows.map(deliveryRecord);
  }

  // ---------------------------------------------------------------- tokens

  async addToken(token: { name: string; scope: TokenScope; hash: string }, now: string): Promise<TokenRecord> {
    const row = await this.driver.get<Row>(
      'INSERT INTO tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id, name, scope, created_at, last_used_at',
      [token.name, token.scope, token.hash, now],
    );
    return tokenRecord(row!);
  }

  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.driver.get<Row>('SELECT id, name, scope, created_at, last_used_at FROM tokens WHERE hash = ?', [hash]);
    return row ? tokenRecord(row) : undefined;
  }

  async touchToken(id: number, now: string): Promise<void> {
    await this.driver.run('UPDATE tokens SET last_used_at = ? WHERE id = ?', [now, id]);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.driver.all<Row>('SELECT id, name, scope, created_at, last_used_at FROM tokens ORDER BY id')).map(tokenRecord);
  }

  // ---------------------------------------------------------------- meta

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.driver.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.driver.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}

/** `a = ?, b = ?` for the fields that are set; undefined means "leave as is". */
function setClause(fields: Record<string, SqlValue>): { sql: string; params: SqlValue[] } {
  const set = Object.entries(fields).filter(([, v]) => v !== undefined);
  return { sql: set.map(([column]) => `${column} = ?`).join(', '), params: set.map(([, v]) => v) };
}
