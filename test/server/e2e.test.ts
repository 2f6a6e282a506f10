/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the API under test; the assertions check their shape */
/**
 * cavas server end to end, on real components: Debian's docker-registry sends push
 * notifications to a real `cavas server` process; skopeo pushes corpus images; an advisory
 * mirror gains records and a refresh re-matches the stored inventories; a signed webhook
 * reaches a receiver here. The same suite runs on SQLite + the in-process queue and on
 * PostgreSQL + BullMQ/Redis with two `cavas worker` processes, one of them SIGKILLed mid-scan.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { IMAGES, MIRROR, cavas, tempDir } from '../e2e/cli.js';
import { sleep, start, stop, waitFor, type Proc } from './procs.js';
import { pushImage, startRegistry, type Registry } from '../registry/harness.js';
import { startFaultProxy } from '../registry/fault-proxy.js';
import { freePort, run } from '../registry/procs.js';
import type { ScanResult } from '../../src/types.js';

const APP = join(IMAGES, 'debian-app.docker.tar.gz');
const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = 'redis://127.0.0.1:6379/0';

// ---------- the advisory mirror, first without some records ----------

/** Records held back from the first mirror: all of Debian's expat entries, and busybox's CVE-2023-42366 for Alpine 3.16. */
function reducedMirror(dir: string): { dir: string; complete(): void } {
  const link = (rel: string): void => {
    const src = join(MIRROR, rel);
    const dst = join(dir, rel);
    if (statSync(src).isDirectory()) {
      mkdirSync(dst, { recursive: true });
      for (const e of readdirSync(src)) link(join(rel, e));
    } else symlinkSync(src, dst);
  };
  mkdirSync(dir, { recursive: true });
  for (const e of readdirSync(MIRROR)) link(e);
  const tracker = 'debian/tracker.json';
  const secdb = 'alpine-secdb/v3.16/main.json';
  const reduce = (rel: string, edit: (doc: any) => void): void => {
    const doc = JSON.parse(readFileSync(join(MIRROR, rel), 'utf8'));
    edit(doc);
    rmSync(join(dir, rel));
    writeFileSync(join(dir, rel), JSON.stringify(doc));
  };
  reduce(tracker, (doc) => {
    assert.ok(doc.expat, 'the corpus tracker has expat');
    delete doc.expat;
  });
  reduce(secdb, (doc) => {
    const busybox = doc.packages.find((p: any) => p.pkg.name === 'busybox');
    for (const [v, cves] of Object.entries(busybox.pkg.secfixes as Record<string, string[]>)) busybox.pkg.secfixes[v] = cves.filter((c) => c !== 'CVE-2023-42366');
  });
  return {
    dir,
    complete() {
      for (const rel of [tracker, secdb]) {
        rmSync(join(dir, rel));
        symlinkSync(join(MIRROR, rel), join(dir, rel));
      }
    },
  };
}

type Key = string;
const vulnKeys = (r: ScanResult): Set<Key> => new Set(r.findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.id} ${(f as any).package.purl}`));

/** What the held-back records add, per image, found by scanning with the CLI against each mirror. */
function expectedNew(reduced: string): Map<string, Set<Key>> {
  const before = tempDir('exp-before');
  const full = tempDir('exp-full');
  assert.equal(cavas(['--cache-dir', before, 'db', 'update', '--mirror', reduced]).status, 0);
  assert.equal(cavas(['--cache-dir', full, 'db', 'update', '--mirror', MIRROR]).status, 0);
  const out = new Map<string, Set<Key>>();
  for (const image of [APP, ALPINE]) {
    const scanWith = (dir: string): ScanResult => JSON.parse(cavas(['--cache-dir', dir, 'scan', image, '-f', 'json', '--scanners', 'vuln', '-q']).stdout) as ScanResult;
    const a = vulnKeys(scanWith(before));
    out.set(image, new Set([...vulnKeys(scanWith(full))].filter((k) => !a.has(k))));
  }
  rmSync(before, { recursive: true, force: true });
  rmSync(full, { recursive: true, force: true });
  return out;
}

// ---------- a webhook receiver ----------

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function receiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

function signatureValid(r: Received, secret: string): boolean {
  const header = String(r.headers['x-cavas-signature'] ?? '');
  const want = 'sha256=' + createHmac('sha256', secret).update(r.body).digest('hex');
  return header.length === want.length && timingSafeEqual(Buffer.from(header), Buffer.from(want));
}

// ---------- the suite ----------

interface Backend {
  name: string;
  database(): Promise<{ url: string; drop(): Promise<void> }>;
  queue?: string;
  workers: number;
}

const backends: Backend[] = [
  {
    name: 'SQLite + in-process queue',
    async database() {
      const dir = tempDir('server-db');
      return { url: join(dir, 'cavas.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
    workers: 0,
  },
  {
    name: 'PostgreSQL + BullMQ/Redis + two workers',
    async database() {
      const name = `cavas_e2e_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client(PG_ADMIN);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return {
        url: `postgres://postgres@127.0.0.1:5432/${name}`,
        async drop() {
          const c = new pg.Client(PG_ADMIN);
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
    queue: REDIS,
    workers: 2,
  },
];

for (const backend of backends) {
  describe(`cavas server: ${backend.name}`, { timeout: 600_000 }, () => {
    const secret = `hook-${randomBytes(8).toString('hex')}`;
    const webhookSecret = `sub-${randomBytes(8).toString('hex')}`;
    let cache: string;
    let mirror: ReturnType<typeof reducedMirror>;
    let expected: Map<string, Set<Key>>;
    let db: { url: string; drop(): Promise<void> };
    let registry: Registry;
    let server: Proc;
    const workers: Proc[] = [];
    const workerPorts: number[] = [];
    let base: string;
    let admin: string;
    let hook: Awaited<ReturnType<typeof receiver>>;
    let queueName: string;

    const api = async (path: string, init: RequestInit = {}): Promise<any> => {
      const res = await fetch(base + path, { ...init, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };

    const imageByTag = async (repository: string, tag: string): Promise<any> => {
      const { images } = await api(`/api/images?repository=${encodeURIComponent(repository)}`);
      return images.find((i: any) => i.tags.includes(tag));
    };

    before(async () => {
      cache = tempDir('server-cache');
      mirror = reducedMirror(join(tempDir('server-mirror'), 'm'));
      expected = expectedNew(mirror.dir);
      assert.equal(cavas(['--cache-dir', cache, 'db', 'update', '--mirror', mirror.dir]).status, 0);
      db = await backend.database();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      registry = await startRegistry({ notify: { url: `${base}/hooks/registry`, secret } });
      const tok = cavas(['--cache-dir', cache, 'token', 'create', '--name', 'e2e', '--scope', 'admin', '--database', db.url]);
      assert.equal(tok.status, 0, tok.stderr);
      admin = tok.stdout.trim();
      queueName = `cavas-e2e-${randomBytes(4).toString('hex')}`;
      const common = ['--database', db.url, '--mirror', mirror.dir, '--log-level', 'info'];
      const env = { CAVAS_QUEUE_NAME: queueName };
      const queueArgs = backend.queue ? ['--queue', backend.queue] : [];
      server = start(['--cache-dir', cache, 'server', '--port', String(port), '--hook-secret', secret, '--refresh-interval', '0', ...common, ...queueArgs], env);
      for (let i = 0; i < backend.workers; i++) {
        const metricsPort = await freePort();
        workerPorts.push(metricsPort);
        workers.push(start(['--cache-dir', cache, 'worker', '--concurrency', '1', '--port', String(metricsPort), ...common, ...queueArgs], env));
      }
      await waitFor('server ready', 30_000, async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined));
      hook = await receiver();
      await api('/api/subscriptions', { method: 'POST', body: JSON.stringify({ name: 'owners', kind: 'webhook', url: hook.url, secret: webhookSecret }) });
    });

    after(async () => {
      for (const w of workers) await stop(w);
      const code = await stop(server);
      await registry?.stop();
      await hook?.close();
      await db?.drop();
      if (backend.queue) {
        await run('redis-cli', ['-h', '127.0.0.1', 'EVAL', "for _,k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end", '0', `bull:${queueName}:*`]).catch(() => undefined);
      }
      assert.equal(code, 0, `server exited with ${code}: ${server?.lines.slice(-5).join('\n')}`);
    });

    it('a push to the registry is scanned and its findings are in the API within 10 s', async () => {
      await pushImage(registry, `docker-archive:${APP}`, 'app:v1');
      // the registry notifies when the manifest lands, which is the end of the copy
      const pushed = Date.now();
      const image = await waitFor('debian-app scanned', 10_000 - (Date.now() - pushed) + 2_000, async () => {
        const i = await imageByTag('app', 'v1');
        return i?.scannedAt ? i : undefined;
      });
      const elapsed = Date.now() - pushed;
      assert.ok(elapsed < 10_000, `findings after ${elapsed} ms`);
      const { findings } = await api(`/api/images/${image.id}/findings?kind=vulnerability`);
      assert.ok(findings.length > 100, `${findings.length} findings`);
    });

    it('a second push of the same digest under another tag scans nothing new', async () => {
      const v1 = await imageByTag('app', 'v1');
      const scannedBefore = (await api(`/api/events?type=image.scanned&limit=1000`)).events.filter((e: any) => e.digest === v1.digest).length;
      await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${registry.host}/app:v1`, `docker://${registry.host}/app:v2`]);
      const v2 = await waitFor('tag v2 recorded', 10_000, async () => imageByTag('app', 'v2'));
      assert.equal(v2.digest, v1.digest);
      assert.deepEqual([...v2.tags].sort(), ['v1', 'v2']);
      await sleep(1_000);
      const scannedAfter = (await api(`/api/events?type=image.scanned&limit=1000`)).events.filter((e: any) => e.digest === v1.digest).length;
      assert.equal(scannedAfter, scannedBefore, 'no second scan of a stored digest');
      const pushedEvents = (await api(`/api/events?type=image.pushed&limit=1000`)).events.filter((e: any) => e.digest === v1.digest);
      assert.ok(pushedEvents.some((e: any) => e.data.reused === true));
    });

    if (backend.workers > 1) {
      it('a worker killed with SIGKILL mid-scan: the job is retried by the other and completes exactly once', async () => {
        // pushed through a proxy whose first blob download never answers: the registry's push
        // event names the proxy, so the first worker to pull is certainly mid-scan when killed,
        // and the retry's downloads pass
        const proxy = await startFaultProxy(registry.url, { rules: [{ kind: 'blob', first: 1, action: 'hang', methods: ['GET'] }] });
        try {
          await pushImage({ ...registry, host: proxy.host }, `docker-archive:${ALPINE}`, 'alpine:3.16');
          const victim = await waitFor('a worker starts the scan', 15_000, async () => workers.find((w) => w.lines.some((l) => l.includes('"scan started"') && l.includes(proxy.host))));
          await waitFor('its first blob request', 15_000, async () => (proxy.count('blob') > 0 ? true : undefined));
          victim.child.kill('SIGKILL');
          await victim.exited;
          const image = await waitFor('alpine scanned by the other worker', 60_000, async () => {
            const i = await imageByTag('alpine', '3.16');
            return i?.scannedAt ? i : undefined;
          });
          const done = { digest: image.digest as string };
          const survivor = workers.find((w) => w !== victim)!;
          assert.ok(survivor.lines.some((l) => l.includes('"scan done"') && l.includes(done.digest)), 'the surviving worker finished it');
          assert.ok(!victim.lines.some((l) => l.includes('"scan done"') && l.includes(proxy.host)), 'the killed worker did not');
          await sleep(2_000);
          const scanned = (await api(`/api/events?type=image.scanned&limit=1000`)).events.filter((e: any) => e.digest === done.digest);
          assert.equal(scanned.length, 1, 'stored exactly once');
          const { findings } = await api(`/api/images/${image.id}/findings?kind=vulnerability`);
          const keys = findings.map((f: any) => f.key);
          assert.equal(new Set(keys).size, keys.length, 'no finding stored twice');
          // alpine's only advisories are held back from the first mirror; its inventory is stored once
          const { packages } = await api(`/api/images/${image.id}/packages`);
          assert.equal(packages.length, 14);
          assert.equal(findings.length, 0);
        } finally {
          await proxy.close();
        }
      });
    } else {
      it('alpine is pushed and scanned', async () => {
        await pushImage(registry, `docker-archive:${ALPINE}`, 'alpine:3.16');
        await waitFor('alpine scanned', 15_000, async () => {
          const i = await imageByTag('alpine', '3.16');
          return i?.scannedAt ? i : undefined;
        });
      });
    }

    it('new advisories: a refresh re-matches stored images and a signed webhook lists exactly the new findings', async () => {
      const lastEvent = Math.max(0, ...(await api('/api/events?limit=1000&order=desc')).events.map((e: any) => e.id));
      hook.got.length = 0;
      mirror.complete();
      const refresh = await api('/api/db/refresh', { method: 'POST', body: '{}' });
      assert.equal(refresh.changed, true);
      assert.equal(refresh.rematched, 2);
      const app = await imageByTag('app', 'v1');
      const alpine = await imageByTag('alpine', '3.16');
      const want = new Map([
        [app.digest, expected.get(APP)!],
        [alpine.digest, expected.get(ALPINE)!],
      ]);
      assert.ok(expected.get(APP)!.size > 0 && expected.get(ALPINE)!.size > 0);
      // the events API
      const events = (await api(`/api/events?after=${lastEvent}&type=finding.new&limit=1000`)).events as any[];
      for (const [digest, keys] of want) {
        const got = new Set(events.filter((e) => e.digest === digest).map((e) => `${e.data.finding.id} ${e.data.finding.purl}`));
        assert.deepEqual([...got].sort(), [...keys].sort(), `finding.new events of ${digest}`);
      }
      // the webhook: signed, and listing exactly those findings
      const bodies = await waitFor('webhooks for both images', 15_000, async () => {
        const parsed = hook.got.map((r) => ({ r, body: JSON.parse(r.body) }));
        const digests = new Set(parsed.map((p) => p.body.image?.digest));
        return want.size === [...want.keys()].filter((d) => digests.has(d)).length ? parsed : undefined;
      });
      for (const { r } of bodies) assert.ok(signatureValid(r, webhookSecret), 'X-Cavas-Signature verifies');
      for (const [digest, keys] of want) {
        const items = bodies.filter((b) => b.body.image.digest === digest).flatMap((b) => b.body.changes.new as any[]);
        assert.deepEqual(items.map((i) => `${i.id} ${i.purl}`).sort(), [...keys].sort(), `webhook of ${digest}`);
      }
      // nothing else changed: no finding went away or became fixable
      const others = (await api(`/api/events?after=${lastEvent}&type=finding.gone,finding.fixable&limit=1000`)).events as any[];
      assert.deepEqual(others, []);
    });

    if (backend.workers > 0) {
      it('workers serve /readyz and /metrics with their scan durations; the server its queue depth', async () => {
        const alive = workers.map((w, i) => ({ w, port: workerPorts[i]! })).filter(({ w }) => w.child.exitCode === null && w.child.signalCode === null);
        assert.ok(alive.length >= 1);
        let scans = 0;
        for (const { port } of alive) {
          assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const m = /^cavas_scan_duration_seconds_count\{outcome="done"\} (\d+)$/m.exec(text);
          scans += m ? Number(m[1]) : 0;
        }
        assert.ok(scans >= 1, 'the surviving worker counted its scans');
        const server = await (await fetch(`${base}/metrics`)).text();
        assert.match(server, /^cavas_queue_depth\{state="waiting"\} \d+$/m);
      });
    }

    it('bad input is rejected with a JSON error and changes nothing; the server keeps serving', async () => {
      const before = await api('/api/images?limit=500');
      const post = (body: string, headers: Record<string, string>): Promise<Response> => fetch(`${base}/hooks/registry`, { method: 'POST', body, headers });
      const auth = { authorization: `Bearer ${secret}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' };
      const cases: Array<[string, Promise<Response>, number]> = [
        ['malformed JSON', post('{"events": [', auth), 400],
        ['no events', post('{"foo": 1}', auth), 400],
        ['bad digest', post(JSON.stringify({ events: [{ action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:zz', repository: 'x' } }] }), auth), 400],
        ['wrong secret', post('{"events": []}', { ...auth, authorization: 'Bearer nope' }), 401],
        ['text/plain', post('{"events": []}', { ...auth, 'content-type': 'text/plain' }), 415],
        ['oversized', post(JSON.stringify({ events: [], pad: 'x'.repeat(2 * 1024 * 1024) }), auth), 413],
        ['no token', fetch(`${base}/api/images`), 401],
      ];
      for (const [name, p, status] of cases) {
        const res = await p;
        assert.equal(res.status, status, name);
        const body = (await res.json()) as { error?: { message?: string } };
        assert.equal(typeof body.error?.message, 'string', `${name}: JSON error`);
      }
      assert.deepEqual((await api('/api/images?limit=500')).total, before.total);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    });
  });
}
