/**
 * The server store, one suite run against both backends: SQLite in a temp dir and
 * PostgreSQL (a fresh database per test on the local server, dropped at the end). The data
 * is a real scan of the corpus image debian-app: its inventory, layers and findings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { LayerRecord, StoredInventory } from '../../src/server/model.js';
import { findingKey } from '../../src/server/store/finding-key.js';
import { latestVersion, MIGRATIONS } from '../../src/server/store/migrations.js';
import { openStore, parseStoreUrl, redactUrl } from '../../src/server/store/open.js';
import { toPgPlaceholders } from '../../src/server/store/sql-driver.js';
import { SqlStore } from '../../src/server/store/sql-store.js';
import { SqliteDriver } from '../../src/server/store/sqlite-driver.js';
import type { Store } from '../../src/server/store/store.js';
import type { Finding, ScanResult, VulnerabilityFinding } from '../../src/types.js';
import { SEVERITY_ORDER } from '../../src/types.js';
import { isCavasError } from '../../src/util/errors.js';
import { corpusCache, IMAGES, scanJson, tempDir, vulns } from '../e2e/cli.js';

const PG_ADMIN_URL = process.env.CAVAS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// ------------------------------------------------------------------ test data

let scanned: ScanResult | undefined;
/** One real scan, shared by every test of the file (both backends). */
function scan(): ScanResult {
  if (!scanned) {
    const cache = corpusCache();
    try {
      scanned = scanJson(cache.dir, join(IMAGES, 'debian-app.docker.tar.gz'));
    } finally {
      cache.cleanup();
    }
  }
  return scanned;
}

function sha(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-02T00:00:00.000Z';
const T3 = '2025-01-03T00:00:00.000Z';
const T4 = '2025-01-04T00:00:00.000Z';

function stored(r: ScanResult, digest: string): { inv: StoredInventory; layers: LayerRecord[] } {
  return {
    inv: { digest, image: r.image, inventory: r.inventory, scannedAt: r.scannedAt },
    layers: r.image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, ...(l.createdBy ? { createdBy: l.createdBy } : {}) })),
  };
}

function keysOf(records: Array<{ key: string }>): string[] {
  return records.map((r) => r.key).sort();
}

function tally(findings: Finding[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0]));
  for (const f of findings) out[f.severity]! += 1;
  return out;
}

async function count(store: Store, sql: string, params: Array<string | number> = []): Promise<number> {
  const row = await (store as SqlStore).driver.get<{ n: number }>(sql, params);
  return Number(row?.n);
}

/** Opens (and so migrates) the store in a new node process, the way server processes start. */
function openInChild(url: string): Promise<{ code: number | null; stderr: string }> {
  const mod = new URL('../../src/server/store/open.js', import.meta.url).href;
  const script = `const { openStore } = await import(${JSON.stringify(mod)}); const s = await openStore(process.argv[1], ''); await s.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, url], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

// ------------------------------------------------------------------ backends

interface Backend {
  name: 'sqlite' | 'postgres';
  /** Where a new, empty database lives (a path or a URL). */
  fresh(): Promise<string>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = tempDir('store');
  let n = 0;
  return {
    name: 'sqlite',
    fresh: async () => join(dir, `db-${++n}`, 'cavas.db'),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresAvailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL at ${PG_ADMIN_URL} unreachable: ${(e as Error).message || String(e)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresBackend(): Backend {
  const prefix = `cavas_test_${randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    fresh: async () => {
      const name = `${prefix}_${created.length + 1}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      return url.toString();
    },
    cleanup: async () => {
      await admin(async (c) => {
        for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

// ------------------------------------------------------------------ the suite

function suite(backend: Backend): void {
  const open: Store[] = [];
  async function fresh(): Promise<Store> {
    const store = await openStore(await backend.fresh(), '/nonexistent/unused.db');
    open.push(store);
    return store;
  }

  after(async () => {
    for (const s of open) await s.close().catch(() => undefined);
    await backend.cleanup();
  });

  it('migrates a new database and a second migrate changes nothing', async () => {
    const store = await fresh();
    assert.equal(store.backend, backend.name);
    const versions = await (store as SqlStore).driver.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      versions.map((v) => Number(v.version)),
      MIGRATIONS.map((m) => m.version),
    );
    await store.setMeta('probe', 'kept');
    await store.migrate();
    await store.migrate();
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM schema_migrations'), MIGRATIONS.length);
    assert.equal(await store.getMeta('probe'), 'kept');
    await store.ping();
  });

  it('several processes migrating one new database at once apply each migration once', async () => {
    const url = await backend.fresh();
    const children = await Promise.all([openInChild(url), openInChild(url), openInChild(url), openInChild(url)]);
    for (const c of children) assert.equal(c.code, 0, c.stderr);
    // And several stores of one process (PostgreSQL only: SQLite waits for a lock by
    // blocking its thread, so one process holds one connection per file).
    const stores = await Promise.all(backend.name === 'postgres' ? [openStore(url, ''), openStore(url, ''), openStore(url, ''), openStore(url, '')] : [openStore(url, '')]);
    open.push(...stores);
    assert.equal(await count(stores[0]!, 'SELECT COUNT(*) AS n FROM schema_migrations'), MIGRATIONS.length);
    // All of them work on the one schema.
    await Promise.all(stores.map((s, i) => s.setMeta(`k${i}`, String(i))));
    assert.equal(await stores[stores.length - 1]!.getMeta('k0'), '0');
  });

  it('refuses a database whose schema is newer than this cavas, in one line', async () => {
    const url = await backend.fresh();
    const store = await openStore(url, '');
    await (store as SqlStore).driver.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [5, 'from the future', T1]);
    await store.close();
    await assert.rejects(openStore(url, ''), (e: unknown) => {
      assert.ok(isCavasError(e));
      assert.equal(e.code, 'DB_CORRUPT');
      assert.equal(e.message, `database schema v5 is newer than this cavas (v${latestVersion()}); upgrade cavas`);
      return true;
    });
  });

  it('upsertImage records an image, touches it again, and moves a tag to a new digest', async () => {
    const store = await fresh();
    const d1 = sha('image one');
    const d2 = sha('image two');
    const img = { registry: 'registry.example:5000', repository: 'team/app', digest: d1, mediaType: 'application/vnd.oci.image.manifest.v1+json', tag: 'latest' };
    const a = await store.upsertImage(img, T1);
    assert.deepEqual(a, {
      id: a.id,
      registry: 'registry.example:5000',
      repository: 'team/app',
      digest: d1,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      tags: ['latest'],
      firstSeen: T1,
      lastSeen: T1,
    });
    const again = await store.upsertImage({ ...img, mediaType: undefined, tag: 'v1' }, T2);
    assert.equal(again.id, a.id);
    assert.equal(again.firstSeen, T1);
    assert.equal(again.lastSeen, T2);
    assert.equal(again.mediaType, img.mediaType, 'a push without a media type keeps the known one');
    assert.deepEqual(again.tags, ['latest', 'v1']);

    // latest moves to d2; v1 stays on d1.
    const b = await store.upsertImage({ ...img, digest: d2 }, T3);
    assert.notEqual(b.id, a.id);
    assert.deepEqual(b.tags, ['latest']);
    assert.equal(await store.tagDigest(img.registry, img.repository, 'latest'), d2);
    assert.equal(await store.tagDigest(img.registry, img.repository, 'v1'), d1);
    assert.equal(await store.tagDigest(img.registry, 'other', 'latest'), undefined);
    assert.deepEqual((await store.getImage(a.id))?.tags, ['v1']);

    // An older event processed late moves neither the tag nor last_seen back.
    await store.upsertImage({ ...img, digest: d1 }, T2);
    assert.equal(await store.tagDigest(img.registry, img.repository, 'latest'), d2);
    assert.equal((await store.getImage(a.id))?.lastSeen, T2);

    // The same digest in another repository is another image.
    const c = await store.upsertImage({ registry: img.registry, repository: 'mirror/app', digest: d1 }, T3);
    assert.deepEqual(c.tags, []);
    assert.deepEqual(
      (await store.imagesByDigest(d1)).map((i) => i.repository),
      ['team/app', 'mirror/app'],
    );
    // where events about a digest point: its first image, for many digests in one query
    const unknown = sha('never-pushed');
    const first = await store.firstImageOf([d1, d2, unknown, d1]);
    assert.equal(first.size, 2);
    assert.deepEqual(first.get(d1), { registry: img.registry, repository: 'team/app' });
    assert.deepEqual(first.get(d2), { registry: img.registry, repository: 'team/app' });
    assert.equal((await store.firstImageOf([])).size, 0);
    assert.equal(await store.getImage(999999), undefined);
  });

  it('exclusive: one holder at a time, across stores of one database on PostgreSQL; free again after', async () => {
    const url = await backend.fresh();
    const a = await openStore(url, '/nonexistent/unused.db');
    open.push(a);
    // SQLite serves one process per file: a second store is the same process, so the in-process lock is shared per store
    const b = backend.name === 'postgres' ? await openStore(url, '/nonexistent/unused.db') : a;
    if (b !== a) open.push(b);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = a.exclusive('rematch', async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    assert.equal(await b.exclusive('rematch', async () => 'second'), undefined, 'held elsewhere: skipped at once');
    assert.equal(await b.exclusive('other', async () => 'other lock'), 'other lock');
    release();
    assert.equal(await first, 'first');
    assert.equal(await b.exclusive('rematch', async () => 'after'), 'after');
    await assert.rejects(a.exclusive('rematch', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await b.exclusive('rematch', async () => 'released after a failure'), 'released after a failure');
  });

  it('saveScan stores inventory, layers and findings; the same scan again changes nothing', async () => {
    const r = scan();
    const store = await fresh();
    const digest = sha('debian-app');
    const { inv, layers } = stored(r, digest);
    assert.equal(await store.hasInventory(digest), false);

    const first = await store.saveScan(inv, layers, r.findings, T1);
    const keys = new Set(r.findings.map(findingKey));
    assert.equal(keys.size, r.findings.length, 'the corpus findings have distinct keys');
    assert.equal(first.digest, digest);
    assert.equal(first.added.length, r.findings.length);
    assert.deepEqual(first.gone, []);
    assert.deepEqual(first.nowFixable, []);
    const minimist = first.added.find((f) => f.id === 'CVE-2021-44906');
    assert.deepEqual(minimist && { ...minimist, finding: undefined }, {
      key: `vuln|CVE-2021-44906|pkg:npm/minimist@1.2.5|${(minimist?.finding as VulnerabilityFinding).layer}`,
      digest,
      kind: 'vulnerability',
      id: 'CVE-2021-44906',
      severity: 'CRITICAL',
      purl: 'pkg:npm/minimist@1.2.5',
      packageName: 'minimist',
      installedVersion: '1.2.5',
      fixedVersion: '1.2.6',
      kev: false,
      firstSeen: T1,
      finding: undefined,
    });

    const second = await store.saveScan({ ...inv, scannedAt: T2 }, layers, r.findings, T2);
    assert.deepEqual(second, { digest, added: [], nowFixable: [], gone: [] });
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM findings'), r.findings.length);
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM inventories'), 1);
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM layers'), new Set(layers.map((l) => l.digest)).size);
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM inventory_layers'), layers.length);

    assert.equal(await store.hasInventory(digest), true);
    assert.deepEqual(await store.getInventory(digest), { ...inv, scannedAt: T2 });
    assert.deepEqual(
      await store.layersOf(digest),
      layers.map((l, index) => ({ ...l, index })),
    );
    const open = await store.findingsOf(digest);
    assert.equal(open.length, r.findings.length);
    assert.ok(open.every((f) => f.firstSeen === T1 && f.fixedAt === undefined));
    // Highest severity first.
    assert.equal(open[0]!.severity, 'CRITICAL');
    assert.deepEqual(
      (await store.findingsOf(digest, { kind: 'secret' })).map((f) => f.id).sort(),
      r.findings.filter((f) => f.kind === 'secret').map((f) => (f as { ruleId: string }).ruleId).sort(),
    );
    const config = await store.findingsOf(digest, { kind: 'config' });
    assert.ok(config.some((f) => f.id === 'config/root-user' && f.path === 'config.User'));
  });

  it('syncFindings reports new, gone and now-fixable findings, honours kinds, and is idempotent', async () => {
    const r = scan();
    const store = await fresh();
    const digest = sha('debian-app sync');
    const { inv, layers } = stored(r, digest);
    await store.saveScan(inv, layers, r.findings, T1);

    const v = vulns(r);
    const dropped = v[0]!;
    const unfixed = v.find((f) => f.fixedVersion === 'unfixed')!;
    assert.ok(unfixed, 'the corpus has an unfixed vulnerability');
    const reseverity = v.find((f) => f !== dropped && f !== unfixed && f.severity !== 'LOW')!;
    const becameFixable: VulnerabilityFinding = { ...unfixed, fixedVersion: '99:1.0', status: 'fixed' };
    const lowered: VulnerabilityFinding = { ...reseverity, severity: 'LOW' };
    const brandNew: VulnerabilityFinding = { ...v[1]!, id: 'CVE-2099-0001', aliases: ['GHSA-test-0000-0001'] };
    const rematch: Finding[] = [
      ...r.findings.filter((f) => f !== dropped).map((f) => (f === unfixed ? becameFixable : f === reseverity ? lowered : f)),
      brandNew,
      // Not compared: kinds says vulnerabilities only.
      { ...(r.findings.find((f) => f.kind === 'config') as Finding), path: 'somewhere/else' } as Finding,
    ];

    const [diff] = await store.syncFindings([{ digest, findings: rematch, kinds: ['vulnerability'] }], T2);
    assert.deepEqual(keysOf(diff!.added), [findingKey(brandNew)]);
    assert.equal(diff!.added[0]!.firstSeen, T2);
    assert.deepEqual(keysOf(diff!.gone), [findingKey(dropped)]);
    assert.equal(diff!.gone[0]!.fixedAt, T2);
    assert.equal(diff!.gone[0]!.firstSeen, T1);
    assert.deepEqual(diff!.gone[0]!.finding, dropped);
    assert.deepEqual(keysOf(diff!.nowFixable), [findingKey(unfixed)]);
    assert.equal(diff!.nowFixable[0]!.fixedVersion, '99:1.0');
    assert.equal(diff!.nowFixable[0]!.firstSeen, T1, 'a finding that gained a fix keeps its first sighting');

    const openNow = await store.findingsOf(digest);
    assert.equal(openNow.length, r.findings.length, 'one gone, one new');
    assert.equal(openNow.find((f) => f.key === findingKey(reseverity))?.severity, 'LOW', 'changed quietly');
    assert.equal(openNow.find((f) => f.key === findingKey(unfixed))?.fixedVersion, '99:1.0');
    assert.equal((await store.findingsOf(digest, { kind: 'config' })).length, r.findings.filter((f) => f.kind === 'config').length);
    assert.equal((await store.findingsOf(digest, { kind: 'malware' })).length, 1);

    // The same input again: nothing to report, nothing written.
    const [again] = await store.syncFindings([{ digest, findings: rematch, kinds: ['vulnerability'] }], T3);
    assert.deepEqual(again, { digest, added: [], nowFixable: [], gone: [] });

    // A finding that comes back is new again; its old row stays as history.
    const [back] = await store.syncFindings([{ digest, findings: [...rematch, dropped], kinds: ['vulnerability'] }], T3);
    assert.deepEqual(keysOf(back!.added), [findingKey(dropped)]);
    const history = (await store.findingsOf(digest, { open: false })).filter((f) => f.key === findingKey(dropped));
    assert.deepEqual(
      history.map((f) => [f.firstSeen, f.fixedAt]).sort(),
      [
        [T1, T2],
        [T3, undefined],
      ],
    );

    // Without kinds every kind is compared: the rule findings were not passed, so they go.
    const onlyVulns = [...rematch.filter((f) => f.kind === 'vulnerability'), dropped];
    const [all] = await store.syncFindings([{ digest, findings: onlyVulns }], T4);
    assert.deepEqual(all!.added, []);
    assert.deepEqual(
      keysOf(all!.gone),
      r.findings
        .filter((f) => f.kind !== 'vulnerability')
        .map(findingKey)
        .sort(),
    );
    assert.ok(all!.gone.every((f) => f.fixedAt === T4));
    assert.equal((await store.findingsOf(digest)).length, onlyVulns.length);

    // Two entries for one digest in a batch: the second sees the first.
    const [d1, d2] = await store.syncFindings(
      [
        { digest, findings: onlyVulns.slice(1) },
        { digest, findings: onlyVulns },
      ],
      T4,
    );
    assert.deepEqual(keysOf(d1!.gone), [findingKey(onlyVulns[0]!)]);
    assert.deepEqual(keysOf(d2!.added), [findingKey(onlyVulns[0]!)]);
    assert.deepEqual(await store.syncFindings([], T4), []);
  });

  it('findingsById finds a vulnerability by id and by alias, with every image holding it', async () => {
    const r = scan();
    const store = await fresh();
    const digest = sha('debian-app by id');
    const { inv, layers } = stored(r, digest);
    await store.upsertImage({ registry: 'registry.example', repository: 'team/app', digest, tag: '1.0' }, T1);
    await store.upsertImage({ registry: 'registry.example', repository: 'mirror/app', digest }, T1);
    await store.upsertImage({ registry: 'registry.example', repository: 'team/other', digest: sha('other') }, T1);
    await store.saveScan(inv, layers, r.findings, T1);

    const byId = await store.findingsById('CVE-2021-44906');
    assert.equal(byId.length, 1);
    assert.equal(byId[0]!.digest, digest);
    assert.equal(byId[0]!.packageName, 'minimist');
    assert.deepEqual(byId[0]!.images.map((i) => `${i.repository}:${i.tags.join(',')}`), ['team/app:1.0', 'mirror/app:']);
    assert.ok(byId[0]!.images[0]!.counts);

    const byAlias = await store.findingsById('GHSA-xvch-5gv4-984h');
    assert.deepEqual(
      byAlias.map((f) => f.key),
      byId.map((f) => f.key),
    );
    assert.deepEqual(await store.findingsById('CVE-1999-0000'), []);

    // A rule id works too.
    assert.equal((await store.findingsById('config/root-user')).length, 1);

    // Fixed findings are not "held" any more.
    await store.syncFindings([{ digest, findings: r.findings.filter((f) => f.kind !== 'vulnerability' || f.id !== 'CVE-2021-44906') }], T2);
    assert.deepEqual(await store.findingsById('GHSA-xvch-5gv4-984h'), []);
  });

  it('counts open findings per image and searches images with total, limit and offset', async () => {
    const r = scan();
    const store = await fresh();
    const digest = sha('debian-app counts');
    const { inv, layers } = stored(r, digest);
    for (let i = 0; i < 12; i++) {
      await store.upsertImage({ registry: 'registry.example', repository: `team/svc-${String(i).padStart(2, '0')}`, digest: i < 3 ? digest : sha(`pending ${i}`), tag: `v${i}` }, `2025-02-01T00:00:${String(i).padStart(2, '0')}.000Z`);
    }
    await store.saveScan(inv, layers, r.findings, T2);

    const page = await store.findImages({ limit: 5, offset: 0 });
    assert.equal(page.total, 12);
    assert.deepEqual(
      page.images.map((i) => i.repository),
      ['team/svc-11', 'team/svc-10', 'team/svc-09', 'team/svc-08', 'team/svc-07'],
      'latest seen first',
    );
    const last = await store.findImages({ limit: 5, offset: 10 });
    assert.deepEqual(
      last.images.map((i) => i.repository),
      ['team/svc-01', 'team/svc-00'],
    );
    const scannedImage = last.images[0]!;
    assert.equal(scannedImage.scannedAt, r.scannedAt);
    assert.deepEqual(scannedImage.counts, tally(r.findings));
    assert.equal(page.images[0]!.counts, undefined, 'not scanned yet');
    assert.equal(page.images[0]!.scannedAt, undefined);

    assert.deepEqual(
      (await store.findImages({ q: 'SVC-0' })).images.map((i) => i.repository).length,
      10,
      'case-insensitive substring of the repository',
    );
    assert.deepEqual(
      (await store.findImages({ q: 'v11' })).images.map((i) => i.repository),
      ['team/svc-11'],
      'a tag',
    );
    assert.equal((await store.findImages({ q: digest.slice(0, 20) })).total, 3, 'a digest prefix');
    assert.equal((await store.findImages({ q: '100%_' })).total, 0, 'LIKE wildcards are literal');
    assert.equal((await store.findImages({ repository: 'team/svc-02' })).images[0]?.tags[0], 'v2');
    assert.equal((await store.findImages({ q: 'registry.example/team', repository: 'team/svc-02' })).total, 1);

    // Closing findings lowers the counts.
    await store.syncFindings([{ digest, findings: r.findings.filter((f) => f.severity !== 'CRITICAL') }], T3);
    const after = await store.getImage(scannedImage.id);
    assert.deepEqual(after?.counts, tally(r.findings.filter((f) => f.severity !== 'CRITICAL')));
    assert.equal(after?.counts?.CRITICAL, 0);
  });

  it('pages events by id and filters them by type, digest and repository', async () => {
    const store = await fresh();
    const made = await store.addEvents(
      Array.from({ length: 25 }, (_, i) => ({
        at: T1,
        type: i % 5 === 0 ? ('image.scanned' as const) : ('finding.new' as const),
        registry: 'registry.example',
        repository: i < 10 ? 'team/a' : 'team/b',
        digest: sha(`e${i % 2}`),
        ...(i % 5 === 0 ? {} : { findingId: `CVE-2024-${1000 + i}`, severity: 'HIGH' as const }),
        data: { i },
      })),
    );
    assert.equal(made.length, 25);
    assert.deepEqual(
      made.map((e) => e.data.i),
      Array.from({ length: 25 }, (_, i) => i),
    );
    assert.ok(made.every((e, i) => i === 0 || e.id > made[i - 1]!.id));

    const seen: number[] = [];
    let afterId: number | undefined;
    for (;;) {
      const page = await store.listEvents({ afterId, limit: 10 });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.data.i as number));
      afterId = page[page.length - 1]!.id;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => i),
    );
    assert.deepEqual(await store.listEvents({ afterId: made[24]!.id }), []);
    assert.deepEqual(await store.listEvents({ afterId: made[20]!.id }), made.slice(21));

    const scannedEvents = await store.listEvents({ types: ['image.scanned'] });
    assert.deepEqual(
      scannedEvents.map((e) => e.data.i),
      [0, 5, 10, 15, 20],
    );
    assert.equal(scannedEvents[0]!.findingId, undefined);
    assert.equal((await store.listEvents({ types: ['image.scanned', 'finding.new'] })).length, 25);
    assert.equal((await store.listEvents({ digest: sha('e1') })).length, 12);
    assert.equal((await store.listEvents({ repository: 'team/a', types: ['finding.new'] })).length, 8);
    assert.deepEqual(
      (await store.listEvents({ order: 'desc', limit: 3 })).map((e) => e.data.i),
      [24, 23, 22],
    );
    assert.deepEqual(await store.addEvents([]), []);
  });

  it('keeps tokens by hash only', async () => {
    const store = await fresh();
    const hash = createHash('sha256').update('cavas_secret_token').digest('hex');
    const t = await store.addToken({ name: 'ci', scope: 'read', hash }, T1);
    assert.deepEqual(t, { id: t.id, name: 'ci', scope: 'read', createdAt: T1 });
    assert.deepEqual(await store.tokenByHash(hash), t);
    assert.equal(await store.tokenByHash('0'.repeat(64)), undefined);
    await store.touchToken(t.id, T2);
    assert.equal((await store.tokenByHash(hash))?.lastUsedAt, T2);
    const admin = await store.addToken({ name: 'ops', scope: 'admin', hash: 'f'.repeat(64) }, T2);
    assert.deepEqual(
      (await store.listTokens()).map((x) => [x.id, x.scope]),
      [
        [t.id, 'read'],
        [admin.id, 'admin'],
      ],
    );
    await assert.rejects(store.addToken({ name: 'dup', scope: 'read', hash }, T3), 'one hash, one token');
  });

  it('records scans, subscriptions, deliveries and settings', async () => {
    const store = await fresh();
    const s = await store.createScan({ reference: 'registry.example/team/app:1.0', registry: 'registry.example', repository: 'team/app', tag: '1.0', reason: 'push', requestedAt: T1 });
    assert.deepEqual(s, { id: s.id, reference: 'registry.example/team/app:1.0', registry: 'registry.example', repository: 'team/app', tag: '1.0', reason: 'push', status: 'queued', requestedAt: T1 });
    const s2 = await store.createScan({ reference: 'registry.example/team/b@' + sha('b'), registry: 'registry.example', repository: 'team/b', digest: sha('b'), reason: 'api', requestedAt: T1 });
    await store.updateScan(s.id, { status: 'running' });
    assert.deepEqual(
      (await store.pendingScans()).map((x) => [x.id, x.status]),
      [
        [s.id, 'running'],
        [s2.id, 'queued'],
      ],
    );
    await store.updateScan(s.id, { status: 'done', digest: sha('a'), finishedAt: T2, reused: true });
    await store.updateScan(s2.id, { status: 'failed', error: 'pull failed: 404', finishedAt: T2 });
    assert.deepEqual(await store.getScan(s.id), { ...s, status: 'done', digest: sha('a'), finishedAt: T2, reused: true });
    assert.equal((await store.getScan(s2.id))?.error, 'pull failed: 404');
    assert.deepEqual(await store.pendingScans(), []);
    assert.equal(await store.getScan(424242), undefined);

    const sub = await store.addSubscription(
      { name: 'team', kind: 'webhook', url: 'https://hooks.example/cavas', secret: 's3cret', repositoryPattern: 'team/*', minSeverity: 'HIGH', onlyFixable: true, onlyKev: false },
      T1,
    );
    assert.deepEqual(sub, {
      id: sub.id,
      name: 'team',
      kind: 'webhook',
      url: 'https://hooks.example/cavas',
      secret: 's3cret',
      repositoryPattern: 'team/*',
      minSeverity: 'HIGH',
      onlyFixable: true,
      onlyKev: false,
      createdAt: T1,
    });
    const slack = await store.addSubscription({ name: 'chat', kind: 'slack', url: 'https://chat.example/hook', onlyFixable: false, onlyKev: true }, T2);
    assert.deepEqual(await store.listSubscriptions(), [sub, slack]);

    const d = await store.addDelivery({ subscriptionId: sub.id, eventIds: [3, 4, 5], status: 'pending', attempts: 0, createdAt: T2 });
    assert.deepEqual(d, { id: d.id, subscriptionId: sub.id, eventIds: [3, 4, 5], status: 'pending', attempts: 0, createdAt: T2 });
    await store.updateDelivery(d.id, { status: 'failed', attempts: 1, responseStatus: 500, lastError: 'HTTP 500' });
    await store.updateDelivery(d.id, { status: 'delivered', attempts: 2, responseStatus: 204, deliveredAt: T3 });
    const d2 = await store.addDelivery({ subscriptionId: slack.id, eventIds: [6], status: 'pending', attempts: 0, createdAt: T3 });
    assert.deepEqual(await store.listDeliveries({ subscriptionId: sub.id }), [
      { ...d, status: 'delivered', attempts: 2, responseStatus: 204, lastError: 'HTTP 500', deliveredAt: T3 },
    ]);
    assert.deepEqual(
      (await store.listDeliveries({})).map((x) => x.id),
      [d2.id, d.id],
    );
    assert.equal(await store.deleteSubscription(sub.id), true);
    assert.equal(await store.deleteSubscription(sub.id), false);
    assert.deepEqual(await store.listDeliveries({ subscriptionId: sub.id }), [], 'deliveries go with their subscription');

    assert.equal(await store.getMeta('advisory-db'), undefined);
    await store.setMeta('advisory-db', '2025-01-01');
    await store.setMeta('advisory-db', '2025-01-02');
    assert.equal(await store.getMeta('advisory-db'), '2025-01-02');
  });

  it('lists inventories in digest order, a page at a time', async () => {
    const r = scan();
    const store = await fresh();
    const digests = Array.from({ length: 7 }, (_, i) => sha(`inv ${i}`)).sort();
    for (const d of [...digests].reverse()) {
      const { inv, layers } = stored(r, d);
      await store.saveScan(inv, layers, [], T1);
    }
    assert.equal(await store.countInventories(), 7);
    const seen: string[] = [];
    let afterDigest: string | undefined;
    for (;;) {
      const page = await store.listInventories(afterDigest, 3);
      if (page.length === 0) break;
      seen.push(...page.map((p) => p.digest));
      afterDigest = page[page.length - 1]!.digest;
    }
    assert.deepEqual(seen, digests);
    assert.equal((await store.listInventories(undefined, 1))[0]?.inventory.packages.length, r.inventory.packages.length);
  });

  it('syncs a batch of 500 inventories in one call', async (t) => {
    const r = scan();
    const store = await fresh();
    const digests = Array.from({ length: 500 }, (_, i) => sha(`batch ${i}`));
    const perInventory = r.findings.length;

    let started = Date.now();
    const diffs = await store.syncFindings(
      digests.map((digest) => ({ digest, findings: r.findings })),
      T1,
    );
    t.diagnostic(`${backend.name}: first sync of 500 x ${perInventory} findings: ${Date.now() - started} ms`);
    assert.equal(diffs.length, 500);
    assert.deepEqual(
      diffs.map((d) => d.digest),
      digests,
    );
    assert.ok(diffs.every((d) => d.added.length === perInventory && d.gone.length === 0));
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM findings'), 500 * perInventory);
    assert.equal(await count(store, 'SELECT COUNT(DISTINCT digest) AS n FROM findings WHERE finding_id = ?', ['CVE-2021-44906']), 500);

    // A re-match: vulnerabilities only, one of them fixed upstream of every image.
    const dropped = vulns(r)[0]!;
    const rematch = r.findings.filter((f) => f !== dropped);
    started = Date.now();
    const second = await store.syncFindings(
      digests.map((digest) => ({ digest, findings: rematch.filter((f) => f.kind === 'vulnerability'), kinds: ['vulnerability'] as Finding['kind'][] })),
      T2,
    );
    t.diagnostic(`${backend.name}: re-match of 500 inventories: ${Date.now() - started} ms`);
    assert.ok(second.every((d) => d.added.length === 0 && d.nowFixable.length === 0 && d.gone.length === 1 && d.gone[0]!.key === findingKey(dropped)));
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM findings WHERE fixed_at IS NULL'), 500 * (perInventory - 1));
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM findings WHERE fixed_at = ?', [T2]), 500);

    started = Date.now();
    const third = await store.syncFindings(
      digests.map((digest) => ({ digest, findings: rematch, kinds: ['vulnerability'] as Finding['kind'][] })),
      T3,
    );
    t.diagnostic(`${backend.name}: unchanged re-match of 500 inventories: ${Date.now() - started} ms`);
    assert.ok(third.every((d) => d.added.length + d.gone.length + d.nowFixable.length === 0));
    assert.equal(await count(store, 'SELECT COUNT(*) AS n FROM findings'), 500 * perInventory);
  });
}

// ------------------------------------------------------------------ both backends

describe('store on SQLite', () => {
  const backend = sqliteBackend();
  suite(backend);

  it('opens a plain path or sqlite:PATH, creating the directory', async () => {
    const dir = tempDir('store-open');
    try {
      const nested = join(dir, 'a', 'b', 'server.db');
      const s1 = await openStore(`sqlite:${nested}`, '');
      await s1.setMeta('x', '1');
      await s1.close();
      assert.ok(existsSync(nested));
      const s2 = await openStore(undefined, nested);
      assert.equal(await s2.getMeta('x'), '1');
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a SQLite database, in one line', async () => {
    const dir = tempDir('store-bad');
    try {
      const path = join(dir, 'server.db');
      writeFileSync(path, 'this is a text file, not a database\n'.repeat(200));
      await assert.rejects(openStore(path, ''), (e: unknown) => {
        assert.ok(isCavasError(e));
        assert.equal(e.code, 'DB_CORRUPT');
        assert.match(e.message, /server database .*server\.db is not a SQLite database/);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs concurrent transactions one after the other and rolls back a failed one', async () => {
    const dir = tempDir('store-tx');
    const driver = SqliteDriver.open(join(dir, 'tx.db'));
    try {
      await driver.exec('CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);');
      const bump = () =>
        driver.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>('SELECT n FROM counter');
          await new Promise((resolve) => setTimeout(resolve, 5));
          await tx.run('UPDATE counter SET n = ?', [row!.n + 1]);
        });
      // A plain statement issued mid-transaction waits for the commit instead of joining it.
      const reads: number[] = [];
      await Promise.all([bump(), bump(), driver.get<{ n: number }>('SELECT n FROM counter').then((r) => reads.push(r!.n)), bump()]);
      assert.equal((await driver.get<{ n: number }>('SELECT n FROM counter'))?.n, 3);
      assert.deepEqual(reads, [2], 'the read ran between committed transactions');

      await assert.rejects(
        driver.transaction(async (tx) => {
          await tx.run('UPDATE counter SET n = 100');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal((await driver.get<{ n: number }>('SELECT n FROM counter'))?.n, 3);
      // A nested transaction joins the outer one.
      await driver.transaction((tx) => tx.transaction((inner) => inner.run('UPDATE counter SET n = 4')));
      assert.equal((await driver.get<{ n: number }>('SELECT n FROM counter'))?.n, 4);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

});

const pgUnavailable = await postgresAvailable();
// CI starts PostgreSQL and sets CAVAS_REQUIRE_SERVICES: there a missing server is a failure, not a skip
if (pgUnavailable && process.env.CAVAS_REQUIRE_SERVICES) throw new Error(`PostgreSQL is required (CAVAS_REQUIRE_SERVICES) but ${pgUnavailable}`);
if (pgUnavailable) console.error(`# skipping the PostgreSQL store tests: ${pgUnavailable}`);

describe('store on PostgreSQL', { skip: pgUnavailable }, () => {
  if (pgUnavailable) return;
  suite(postgresBackend());

  it('reports an unreachable server in one line, without the password', async () => {
    await assert.rejects(openStore('postgres://cavas:hunter2@127.0.0.1:1/cavas', ''), (e: unknown) => {
      assert.ok(isCavasError(e));
      assert.equal(e.code, 'IO');
      assert.match(e.message, /^cannot use PostgreSQL database postgres:\/\/cavas:\*\*\*@127\.0\.0\.1:1\/cavas: .*ECONNREFUSED/);
      assert.doesNotMatch(e.message, /hunter2|\n/);
      return true;
    });
  });
});

describe('store helpers', () => {
  it('rewrites ? placeholders for PostgreSQL outside literals, identifiers and comments', () => {
    assert.equal(toPgPlaceholders('SELECT ?, \'?\', "a?b", ? -- why?\nFROM t WHERE x = ?'), 'SELECT $1, \'?\', "a?b", $2 -- why?\nFROM t WHERE x = $3');
    assert.equal(toPgPlaceholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
    assert.equal(toPgPlaceholders("ESCAPE '\\' OR x LIKE ?"), "ESCAPE '\\' OR x LIKE $1");
  });

  it('picks the backend from the database setting', () => {
    assert.deepEqual(parseStoreUrl(undefined, '/var/lib/cavas/server.db'), { backend: 'sqlite', path: '/var/lib/cavas/server.db' });
    assert.deepEqual(parseStoreUrl('', '/d.db'), { backend: 'sqlite', path: '/d.db' });
    assert.deepEqual(parseStoreUrl('sqlite:data/cavas.db', ''), { backend: 'sqlite', path: 'data/cavas.db' });
    assert.deepEqual(parseStoreUrl('sqlite:///srv/cavas.db', ''), { backend: 'sqlite', path: '/srv/cavas.db' });
    assert.deepEqual(parseStoreUrl('./cavas.db', ''), { backend: 'sqlite', path: './cavas.db' });
    assert.deepEqual(parseStoreUrl('postgresql://u@db:5432/cavas', ''), { backend: 'postgres', url: 'postgresql://u@db:5432/cavas' });
    assert.deepEqual(parseStoreUrl('postgres://u@db/cavas', ''), { backend: 'postgres', url: 'postgres://u@db/cavas' });
    assert.throws(() => parseStoreUrl('mysql://db/cavas', ''), /unsupported database URL scheme mysql/);
    assert.equal(redactUrl('postgres://u:pw@db:5432/cavas?sslmode=require'), 'postgres://u:***@db:5432/cavas?sslmode=require');
  });

  it('gives findings a stable identity', () => {
    const r = scan();
    const v = vulns(r).find((f) => f.id === 'CVE-2021-44906')!;
    assert.equal(findingKey(v), `vuln|CVE-2021-44906|pkg:npm/minimist@1.2.5|${v.layer}`);
    assert.equal(findingKey({ ...v, severity: 'LOW', fixedVersion: 'unfixed', title: 'x' }), findingKey(v), 'severity, fix and text are not identity');
    const rule = r.findings.find((f) => f.kind === 'config' && f.ruleId === 'config/default-credentials-tomcat')!;
    assert.match(findingKey(rule), /^config\|config\/default-credentials-tomcat\|opt\/tomcat\/conf\/tomcat-users\.xml\|\d+\|\d+$/);
    const field = r.findings.find((f) => f.kind === 'config' && f.ruleId === 'config/root-user')!;
    assert.equal(findingKey(field), 'config|config/root-user|config.User||');
  });
});
