/**
 * The HTTP layer against a real SqlStore on SQLite. The scan pipeline is wired by
 * src/server/service.ts (not here): requestScan and the queue are small fakes that record
 * what the routes asked for, storing what the real requestScan would store first (the
 * scan record and the image) so "nothing stored" checks mean something.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { RefreshResult, ScanRequest, ServerDeps } from '../../src/server/deps.js';
import { buildApp } from '../../src/server/http/app.js';
import { generateToken, hashToken } from '../../src/server/http/auth.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import type { ScanRecord } from '../../src/server/model.js';
import type { JobQueue, QueueDepth, ScanJobData } from '../../src/server/queue/queue.js';
import { openStore } from '../../src/server/store/open.js';
import type { Store } from '../../src/server/store/store.js';
import type { ScanResult } from '../../src/types.js';
import { IMAGES, corpusCache, scanJson, tempDir, vulns } from '../e2e/cli.js';

const HOOK_SECRET = 'hook-secret-0123456789abcdef';
const REGISTRY = 'registry.test:5000';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const EVENTS_TYPE = 'application/vnd.docker.distribution.events.v1+json';

class FakeQueue implements JobQueue {
  readonly backend = 'memory' as const;
  readonly jobs: ScanJobData[] = [];
  broken = false;
  async enqueue(job: ScanJobData): Promise<{ jobId: string; duplicate: boolean }> {
    this.jobs.push(job);
    return { jobId: String(this.jobs.length), duplicate: false };
  }
  process(): void {}
  async depth(): Promise<QueueDepth> {
    if (this.broken) throw new Error('redis down at 10.0.0.9:6379');
    return { waiting: this.jobs.length, active: 0, failed: 0 };
  }
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}

interface Harness {
  deps: ServerDeps;
  calls: ScanRequest[];
  queue: FakeQueue;
}

function makeDeps(store: Store, extra: Partial<ServerDeps> = {}): Harness {
  const calls: ScanRequest[] = [];
  const queue = new FakeQueue();
  const deps: ServerDeps = {
    store,
    queue,
    metrics: new ServerMetrics(),
    async requestScan(req: ScanRequest): Promise<ScanRecord> {
      calls.push(req);
      const now = new Date().toISOString();
      if (req.digest) {
        await store.upsertImage({ registry: req.registry, repository: req.repository, digest: req.digest, mediaType: req.mediaType, tag: req.tag }, now);
      }
      const { mediaType: _mediaType, ...rest } = req;
      const scan = await store.createScan({ ...rest, requestedAt: now });
      await queue.enqueue({ scanId: scan.id, reference: req.reference, registry: req.registry, repository: req.repository, tag: req.tag, digest: req.digest });
      return scan;
    },
    async refreshAdvisories(): Promise<RefreshResult> {
      throw new Error('feed mirror unreachable at /var/secret/path');
    },
    async sbom(digest: string): Promise<string | undefined> {
      return (await store.hasInventory(digest)) ? JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6' }) : undefined;
    },
    hookSecret: HOOK_SECRET,
    ...extra,
  };
  return { deps, calls, queue };
}

function pushEvent(over: { digest?: string; repository?: string; mediaType?: string; tag?: string; action?: string; url?: string } = {}) {
  const repository = over.repository ?? 'team/app';
  const digest = over.digest ?? DIGEST_A;
  return {
    id: 'evt-1',
    timestamp: '2024-05-01T10:00:00Z',
    action: over.action ?? 'push',
    target: {
      mediaType: over.mediaType ?? MANIFEST_V2,
      size: 528,
      digest,
      length: 528,
      repository,
      url: over.url ?? `https://${REGISTRY}/v2/${repository}/manifests/${digest}`,
      tag: over.tag ?? '1.0',
    },
    request: { id: 'req-1', addr: '10.0.0.2:4242', host: REGISTRY, method: 'PUT', useragent: 'docker/26' },
    actor: { name: 'ci' },
    source: { addr: 'registry-0:5000', instanceID: 'abc' },
  };
}

describe('cavas server HTTP API', () => {
  let dir: string;
  let store: Store;
  let h: Harness;
  let app: FastifyInstance;
  let base: string;
  let admin: string;
  let reader: string;
  const logs: string[] = [];
  let cache: { dir: string; cleanup: () => void };
  let scan: ScanResult;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const hookHeaders = (type = EVENTS_TYPE) => ({ authorization: `Bearer ${HOOK_SECRET}`, 'content-type': type });

  before(async () => {
    dir = tempDir('http');
    store = await openStore(undefined, join(dir, 'server.db'));
    h = makeDeps(store);
    const web = join(dir, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>cavas</title>');
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    writeFileSync(join(web, '.env'), 'SECRET=1');
    writeFileSync(join(dir, 'outside.txt'), 'outside');
    symlinkSync(join(dir, 'outside.txt'), join(web, 'link.txt'));
    app = await buildApp(h.deps, {
      logger: { level: 'debug', stream: { write: (line: string) => logs.push(line) } },
      webRoot: web,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    assert.ok(addr && typeof addr === 'object');
    base = `http://127.0.0.1:${addr.port}`;

    admin = generateToken();
    reader = generateToken();
    await store.addToken({ name: 'admin', scope: 'admin', hash: hashToken(admin) }, new Date().toISOString());
    await store.addToken({ name: 'reader', scope: 'read', hash: hashToken(reader) }, new Date().toISOString());

    cache = corpusCache();
    scan = scanJson(cache.dir, join(IMAGES, 'alpine-3.16.9.docker.tar.gz'), ['--scanners', 'vuln']);
  });

  after(async () => {
    await app?.close();
    await store?.close();
    cache?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function assertNothingStored(): Promise<void> {
    assert.equal((await store.findImages({})).total, 0, 'no image stored');
    assert.equal(h.calls.length, 0, 'requestScan not called');
  }

  function assertJsonError(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code?: string): void {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0);
    assert.doesNotMatch(res.body, /\n\s+at /, 'no stack trace');
    if (code) assert.equal(body.error.code, code);
  }

  describe('registry hook: refused input stores nothing', () => {
    const valid = () => JSON.stringify({ events: [pushEvent()] });

    test('no Authorization: 401', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: { 'content-type': EVENTS_TYPE }, payload: valid() });
      assertJsonError(res, 401, 'unauthorized');
      await assertNothingStored();
    });

    test('wrong secret: 401', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/hooks/registry',
        headers: { authorization: 'Bearer not-the-secret', 'content-type': EVENTS_TYPE },
        payload: valid(),
      });
      assertJsonError(res, 401, 'unauthorized');
      await assertNothingStored();
    });

    test('an API token is not the hook secret: 401', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: { ...auth(admin), 'content-type': EVENTS_TYPE }, payload: valid() });
      assertJsonError(res, 401);
      await assertNothingStored();
    });

    test('no secret configured: 503, even with an Authorization header', async () => {
      const other = makeDeps(store, { hookSecret: undefined });
      const app2 = await buildApp(other.deps, { logger: false });
      try {
        const res = await app2.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: valid() });
        assertJsonError(res, 503, 'hook_disabled');
        assert.match(res.body, /--hook-secret/);
        assert.equal(other.calls.length, 0);
      } finally {
        await app2.close();
      }
      await assertNothingStored();
    });

    test('malformed JSON: 400', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: '{"events": [' });
      assertJsonError(res, 400, 'invalid_json');
      await assertNothingStored();
    });

    test('empty body: 400', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: '' });
      assertJsonError(res, 400);
      await assertNothingStored();
    });

    test('no events array: 400', async () => {
      for (const payload of [{}, { events: 'x' }, { events: pushEvent() }, [pushEvent()], { events: [null] }, { events: [{ action: 'push' }] }]) {
        const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders('application/json'), payload: JSON.stringify(payload) });
        assertJsonError(res, 400);
      }
      await assertNothingStored();
    });

    test('a bad digest anywhere in the envelope: 400 and no event of it is scanned', async () => {
      for (const digest of ['sha256:abc', `sha512:${'a'.repeat(128)}`, `sha256:${'A'.repeat(64)}`, '']) {
        const payload = JSON.stringify({ events: [pushEvent({ digest: DIGEST_B }), pushEvent({ digest })] });
        const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload });
        assertJsonError(res, 400, 'bad_request');
        assert.match(res.body, /digest/);
      }
      const noDigest = pushEvent();
      delete (noDigest.target as { digest?: string }).digest;
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: JSON.stringify({ events: [noDigest] }) });
      assertJsonError(res, 400);
      await assertNothingStored();
    });

    test('a repository outside the distribution grammar: 400', async () => {
      for (const repository of ['Team/App', '../etc', 'a//b', 'app-', '']) {
        const payload = JSON.stringify({ events: [pushEvent({ repository, url: `https://${REGISTRY}/v2/x/manifests/${DIGEST_A}` })] });
        const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload });
        assertJsonError(res, 400);
      }
      await assertNothingStored();
    });

    test('text/plain: 415', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders('text/plain'), payload: valid() });
      assertJsonError(res, 415, 'unsupported_media_type');
      await assertNothingStored();
    });

    test('a body over the limit: 413', async () => {
      const big = JSON.stringify({ events: [pushEvent()], pad: 'x'.repeat(1024 * 1024 + 10) });
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: big });
      assertJsonError(res, 413, 'payload_too_large');
      await assertNothingStored();
    });

    test('over real HTTP too: malformed, oversized and unauthenticated deliveries', async () => {
      let res = await fetch(`${base}/hooks/registry`, { method: 'POST', headers: hookHeaders(), body: '{not json' });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_json');

      res = await fetch(`${base}/hooks/registry`, { method: 'POST', headers: { 'content-type': EVENTS_TYPE }, body: valid() });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="cavas"');
      await res.arrayBuffer();

      try {
        res = await fetch(`${base}/hooks/registry`, { method: 'POST', headers: hookHeaders(), body: 'x'.repeat(2 * 1024 * 1024) });
        assert.equal(res.status, 413);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large');
      } catch (err) {
        // The server may close the connection before the client has sent the whole body.
        assert.match(String((err as Error).cause ?? err), /ECONNRESET|EPIPE|other side closed|SocketError/);
      }
      await assertNothingStored();
    });

    test('the server keeps serving after bad input', async () => {
      const res = await fetch(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });
  });

  describe('registry hook: accepted deliveries', () => {
    test('a manifest push is queued with its digest reference; blob pushes and pulls are ignored', async () => {
      const payload = JSON.stringify({
        events: [
          pushEvent({ mediaType: 'application/octet-stream', digest: DIGEST_B }),
          pushEvent({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: DIGEST_B }),
          pushEvent({ action: 'pull' }),
          { action: 'delete', target: { repository: 'team/app', tag: 'old' } },
          pushEvent(),
        ],
      });
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload });
      assert.equal(res.statusCode, 202, res.body);
      const body = JSON.parse(res.body) as { accepted: number; ignored: number; scans: number[] };
      assert.equal(body.accepted, 1);
      assert.equal(body.ignored, 4);
      assert.equal(body.scans.length, 1);
      assert.equal(h.calls.length, 1);
      assert.deepEqual(h.calls[0], {
        reference: `${REGISTRY}/team/app@${DIGEST_A}`,
        registry: REGISTRY,
        repository: 'team/app',
        tag: '1.0',
        digest: DIGEST_A,
        mediaType: MANIFEST_V2,
        reason: 'push',
      });
      const scanRes = await app.inject({ method: 'GET', url: `/api/scans/${body.scans[0]}`, headers: auth(reader) });
      assert.equal(scanRes.statusCode, 200);
      assert.equal((JSON.parse(scanRes.body) as ScanRecord).reference, `${REGISTRY}/team/app@${DIGEST_A}`);
    });

    test('application/json works too; an OCI index push without a tag; registry from request.host when the URL lacks one', async () => {
      const ev = pushEvent({ digest: DIGEST_B, mediaType: 'application/vnd.oci.image.index.v1+json', url: 'not a url' });
      delete (ev.target as { tag?: string }).tag;
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders('application/json; charset=utf-8'), payload: JSON.stringify({ events: [ev] }) });
      assert.equal(res.statusCode, 202, res.body);
      const call = h.calls.at(-1)!;
      assert.equal(call.reference, `${REGISTRY}/team/app@${DIGEST_B}`);
      assert.equal(call.tag, undefined);
    });

    test('events from registries outside allowedRegistries are ignored, with 202', async () => {
      const other = makeDeps(store, { allowedRegistries: ['allowed.test'] });
      const app2 = await buildApp(other.deps, { logger: false });
      try {
        const res = await app2.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: JSON.stringify({ events: [pushEvent()] }) });
        assert.equal(res.statusCode, 202);
        assert.deepEqual(JSON.parse(res.body), { accepted: 0, ignored: 1, scans: [] });
        assert.equal(other.calls.length, 0);
      } finally {
        await app2.close();
      }
    });

    test('an empty events list is well formed', async () => {
      const res = await app.inject({ method: 'POST', url: '/hooks/registry', headers: hookHeaders(), payload: '{"events":[]}' });
      assert.equal(res.statusCode, 202);
    });
  });

  describe('auth', () => {
    test('API routes need a token: 401 without or with a bad one', async () => {
      for (const headers of [{}, { authorization: 'Bearer cvs_nope' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { authorization: 'Bearer' }]) {
        const res = await app.inject({ method: 'GET', url: '/api/images', headers });
        assertJsonError(res, 401, 'unauthorized');
      }
      const res = await fetch(`${base}/api/images`);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="cavas"');
    });

    test('a read token reads but cannot change anything: 403', async () => {
      assert.equal((await app.inject({ method: 'GET', url: '/api/images', headers: auth(reader) })).statusCode, 200);
      const admins: Array<{ method: 'POST' | 'GET' | 'DELETE'; url: string; payload?: unknown }> = [
        { method: 'POST', url: '/api/scans', payload: { image: `${REGISTRY}/team/app:1.0` } },
        { method: 'POST', url: '/api/db/refresh' },
        { method: 'GET', url: '/api/subscriptions' },
        { method: 'POST', url: '/api/subscriptions', payload: { name: 'x', url: 'https://hooks.test/x' } },
        { method: 'DELETE', url: '/api/subscriptions/1' },
        { method: 'GET', url: '/api/deliveries' },
        { method: 'GET', url: '/api/tokens' },
        { method: 'POST', url: '/api/tokens', payload: { name: 'x', scope: 'admin' } },
      ];
      const before = h.calls.length;
      for (const r of admins) {
        const res = await app.inject({ method: r.method, url: r.url, headers: auth(reader), ...(r.payload ? { payload: r.payload as object } : {}) });
        assertJsonError(res, 403, 'forbidden');
      }
      assert.equal(h.calls.length, before);
      assert.equal((await store.listTokens()).length, 2);
    });

    test('health, readiness, metrics, OpenAPI and the web UI are open', async () => {
      for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/', '/ui/app.js']) {
        const res = await fetch(`${base}${url}`);
        assert.equal(res.status, 200, url);
        await res.arrayBuffer();
      }
    });

    test('a created token is shown once and then works with its scope', async () => {
      const res = await fetch(`${base}/api/tokens`, {
        method: 'POST',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ci reader', scope: 'read' }),
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const created = (await res.json()) as { token: string; id: number; name: string; scope: string };
      assert.match(created.token, /^cvs_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.scope, 'read');

      const ok = await fetch(`${base}/api/images`, { headers: auth(created.token) });
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      const forbidden = await fetch(`${base}/api/tokens`, { headers: auth(created.token) });
      assert.equal(forbidden.status, 403);
      await forbidden.arrayBuffer();

      const list = await app.inject({ method: 'GET', url: '/api/tokens', headers: auth(admin) });
      const tokens = (JSON.parse(list.body) as { tokens: Array<Record<string, unknown>> }).tokens;
      const mine = tokens.find((t) => t.id === created.id);
      assert.ok(mine);
      assert.ok(mine.lastUsedAt, 'use is recorded');
      assert.doesNotMatch(list.body, new RegExp(created.token));
      assert.doesNotMatch(list.body, new RegExp(hashToken(created.token)));
      assert.ok(tokens.every((t) => !('hash' in t) && !('token' in t)));

      const bad = await app.inject({ method: 'POST', url: '/api/tokens', headers: auth(admin), payload: { name: 'x', scope: 'root' } });
      assertJsonError(bad, 400, 'validation_failed');
    });
  });

  describe('health and description', () => {
    test('/readyz is 503 with a reason when the queue does not answer', async () => {
      h.queue.broken = true;
      try {
        const res = await app.inject({ method: 'GET', url: '/readyz' });
        assert.equal(res.statusCode, 503);
        const body = JSON.parse(res.body) as { reason: string; error: { code: string } };
        assert.equal(body.reason, 'queue unreachable');
        assert.equal(body.error.code, 'not_ready');
        assert.doesNotMatch(res.body, /10\.0\.0\.9/);
      } finally {
        h.queue.broken = false;
      }
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    });

    test('/metrics has the cavas_ series in the Prometheus text format', async () => {
      h.deps.metrics.observeScan(3.2, 'done');
      h.deps.metrics.observeRematch(1.5, 12);
      h.deps.metrics.notificationFailed();
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      for (const name of [
        'cavas_process_cpu_seconds_total',
        'cavas_scan_duration_seconds_bucket',
        'cavas_queue_depth{state="waiting"}',
        'cavas_rematch_duration_seconds_count',
        'cavas_rematch_inventories_total 12',
        'cavas_notification_failures_total 1',
        'cavas_http_requests_total{method="GET",route="/healthz",status="200"}',
        'cavas_hook_events_total{outcome="scanned"}',
        'cavas_hook_events_total{outcome="ignored"}',
        'cavas_hook_events_total{outcome="rejected"}',
      ]) {
        assert.ok(text.includes(name), `${name} in /metrics`);
      }
    });

    test('/openapi.json describes every route with its security', async () => {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = JSON.parse(res.body) as {
        openapi: string;
        info: { title: string; version: string };
        paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; parameters?: unknown[] }>>;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      };
      assert.match(doc.openapi, /^3\./);
      assert.equal(doc.info.title, 'cavas');
      assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
      const expected: Array<[string, string]> = [
        ['get', '/healthz'],
        ['get', '/readyz'],
        ['get', '/metrics'],
        ['post', '/hooks/registry'],
        ['post', '/api/scans'],
        ['get', '/api/scans/{id}'],
        ['get', '/api/images'],
        ['get', '/api/images/{id}'],
        ['get', '/api/images/{id}/packages'],
        ['get', '/api/images/{id}/findings'],
        ['get', '/api/images/{id}/sbom'],
        ['get', '/api/vulnerabilities/{id}'],
        ['get', '/api/events'],
        ['post', '/api/db/refresh'],
        ['get', '/api/subscriptions'],
        ['post', '/api/subscriptions'],
        ['delete', '/api/subscriptions/{id}'],
        ['get', '/api/deliveries'],
        ['get', '/api/tokens'],
        ['post', '/api/tokens'],
      ];
      for (const [method, path] of expected) {
        const op = doc.paths[path]?.[method];
        assert.ok(op, `${method.toUpperCase()} ${path} in /openapi.json`);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${path} responses`);
        if (path.startsWith('/api/')) {
          assert.deepEqual(op.security, [{ bearerAuth: [] }], `${path} security`);
          assert.ok('401' in op.responses, `${path} documents 401`);
        }
      }
      const apiOps = Object.entries(doc.paths)
        .filter(([p]) => p.startsWith('/api/'))
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
      assert.deepEqual(apiOps.sort(), expected.filter(([, p]) => p.startsWith('/api/')).map(([m, p]) => `${m} ${p}`).sort());
      for (const name of ['Image', 'Scan', 'Finding', 'Event', 'Subscription', 'Error']) assert.ok(doc.components.schemas[name], name);
      assert.ok(doc.components.securitySchemes.bearerAuth);
    });
  });

  describe('errors', () => {
    test('unknown routes: JSON 404', async () => {
      assertJsonError(await app.inject({ method: 'GET', url: '/nope' }), 404, 'not_found');
      assertJsonError(await app.inject({ method: 'GET', url: '/api/nope', headers: auth(admin) }), 404, 'not_found');
      assertJsonError(await app.inject({ method: 'GET', url: '/api/images/999', headers: auth(reader) }), 404, 'not_found');
    });

    test('schema violations: 400', async () => {
      assertJsonError(await app.inject({ method: 'GET', url: '/api/images?limit=5000', headers: auth(reader) }), 400, 'validation_failed');
      assertJsonError(await app.inject({ method: 'GET', url: '/api/images/abc', headers: auth(reader) }), 400, 'validation_failed');
      assertJsonError(await app.inject({ method: 'GET', url: '/api/events?type=image.pushed,bogus', headers: auth(reader) }), 400, 'bad_request');
      assertJsonError(await app.inject({ method: 'POST', url: '/api/scans', headers: auth(admin), payload: {} }), 400, 'validation_failed');
    });

    test('an invalid image reference: 400', async () => {
      const before = h.calls.length;
      for (const image of ['UPPER/Case:1', 'host/repo@sha256:short', 'a b']) {
        assertJsonError(await app.inject({ method: 'POST', url: '/api/scans', headers: auth(admin), payload: { image } }), 400, 'bad_request');
      }
      assert.equal(h.calls.length, before);
    });

    test('5xx say "internal error"; the detail is only logged', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/db/refresh', headers: auth(admin) });
      assertJsonError(res, 500, 'internal');
      assert.equal((JSON.parse(res.body) as { error: { message: string } }).error.message, 'internal error');
      assert.doesNotMatch(res.body, /secret\/path/);
      assert.ok(logs.some((l) => l.includes('feed mirror unreachable')), 'detail logged');
    });

    test('logs are JSON and never hold a token or the hook secret', async () => {
      await app.inject({ method: 'GET', url: '/api/images?token=leaky-query-value', headers: auth(admin) });
      assert.ok(logs.length > 0);
      for (const line of logs) JSON.parse(line);
      const all = logs.join('\n');
      assert.ok(!all.includes(admin), 'admin token not logged');
      assert.ok(!all.includes(reader), 'read token not logged');
      assert.ok(!all.includes(HOOK_SECRET), 'hook secret not logged');
      assert.ok(!all.includes('leaky-query-value'), 'credential-like query values masked');
    });
  });

  describe('web UI files', () => {
    test('index at /, assets under /ui/ with their content types, nothing outside the directory', async () => {
      let res = await fetch(`${base}/`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /<title>cavas/);
      res = await fetch(`${base}/ui/app.js`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(await res.text(), 'console.log(1)');
      for (const url of ['/ui/.env', '/ui/link.txt', '/ui/..%2F..%2Fetc%2Fpasswd', '/ui/%2e%2e/outside.txt', '/ui/missing.css']) {
        const r = await app.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 404, url);
        assert.ok(r.body !== 'outside' && !r.body.includes('SECRET=1'), url);
      }
      // Client-side routes get the app's page.
      res = await fetch(`${base}/ui/images/3`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<title>cavas/);
    });
  });

  describe('stored data', () => {
    let imageId: number;
    let digest: string;

    before(async () => {
      digest = scan.image.manifestDigest ?? scan.image.configDigest;
      const now = new Date().toISOString();
      const image = await store.upsertImage({ registry: REGISTRY, repository: 'base/alpine', digest, mediaType: MANIFEST_V2, tag: '3.16.9' }, now);
      imageId = image.id;
      await store.saveScan(
        { digest, image: scan.image, inventory: scan.inventory, scannedAt: scan.scannedAt },
        scan.image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, createdBy: l.createdBy })),
        scan.findings,
        now,
      );
      for (let i = 0; i < 7; i++) {
        await store.upsertImage({ registry: REGISTRY, repository: `paging/app${i}`, digest: `sha256:${String(i).repeat(64)}`, tag: 'latest' }, now);
      }
    });

    test('images are listed a page at a time', async () => {
      const all = JSON.parse((await app.inject({ method: 'GET', url: '/api/images?limit=500', headers: auth(reader) })).body) as { total: number; images: Array<{ id: number }> };
      assert.equal(all.images.length, all.total);
      assert.ok(all.total >= 10);

      const seen = new Set<number>();
      for (let offset = 0; offset < all.total; offset += 3) {
        const res = await app.inject({ method: 'GET', url: `/api/images?limit=3&offset=${offset}`, headers: auth(reader) });
        const page = JSON.parse(res.body) as { total: number; images: Array<{ id: number }> };
        assert.equal(page.total, all.total);
        assert.ok(page.images.length <= 3 && page.images.length > 0);
        for (const img of page.images) seen.add(img.id);
      }
      assert.equal(seen.size, all.total, 'pages cover every image once');

      const filtered = JSON.parse((await app.inject({ method: 'GET', url: '/api/images?q=paging', headers: auth(reader) })).body) as { total: number };
      assert.equal(filtered.total, 7);
    });

    test('an image with its layers, packages and findings', async () => {
      const detail = JSON.parse((await app.inject({ method: 'GET', url: `/api/images/${imageId}`, headers: auth(reader) })).body) as {
        digest: string;
        tags: string[];
        layers: unknown[];
        platform: string;
        os: string;
        configDigest: string;
      };
      assert.equal(detail.digest, digest);
      assert.deepEqual(detail.tags, ['3.16.9']);
      assert.equal(detail.platform, 'linux/amd64');
      assert.equal(detail.configDigest, scan.image.configDigest);
      assert.match(detail.os, /Alpine Linux v3\.16/);
      assert.equal(detail.layers.length, scan.image.layers.length);

      const pk = JSON.parse((await app.inject({ method: 'GET', url: `/api/images/${imageId}/packages`, headers: auth(reader) })).body) as {
        scanned: boolean;
        packages: Array<{ name: string }>;
        os: { id: string };
      };
      assert.equal(pk.scanned, true);
      assert.equal(pk.packages.length, scan.inventory.packages.length);
      assert.equal(pk.os.id, 'alpine');

      const f = JSON.parse((await app.inject({ method: 'GET', url: `/api/images/${imageId}/findings?kind=vulnerability`, headers: auth(reader) })).body) as {
        findings: Array<{ id: string; finding: { kind: string } }>;
      };
      assert.equal(f.findings.length, vulns(scan).length);
      assert.ok(f.findings.every((x) => x.finding.kind === 'vulnerability'));

      const sbom = await app.inject({ method: 'GET', url: `/api/images/${imageId}/sbom`, headers: auth(reader) });
      assert.equal(sbom.statusCode, 200);
      assert.match(String(sbom.headers['content-type']), /^application\/vnd\.cyclonedx\+json/);
      assert.match(String(sbom.headers['content-disposition']), /^attachment; filename="base_alpine_[0-9a-f]{12}\.cdx\.json"$/);
      assert.equal((JSON.parse(sbom.body) as { bomFormat: string }).bomFormat, 'CycloneDX');
    });

    test('which images have a vulnerability; an unknown id is an empty list', async () => {
      const v = vulns(scan)[0];
      assert.ok(v, 'the corpus alpine image has vulnerabilities');
      const res = await app.inject({ method: 'GET', url: `/api/vulnerabilities/${encodeURIComponent(v.id)}`, headers: auth(reader) });
      assert.equal(res.statusCode, 200, res.body);
      const body = JSON.parse(res.body) as { id: string; findings: Array<{ id: string; images: Array<{ id: number; repository: string }> }> };
      assert.equal(body.id, v.id);
      assert.ok(body.findings.length > 0);
      assert.ok(body.findings.every((f) => f.id === v.id));
      assert.ok(body.findings.some((f) => f.images.some((i) => i.id === imageId && i.repository === 'base/alpine')));

      const none = await app.inject({ method: 'GET', url: '/api/vulnerabilities/CVE-1999-0000', headers: auth(reader) });
      assert.equal(none.statusCode, 200);
      assert.deepEqual(JSON.parse(none.body), { id: 'CVE-1999-0000', findings: [] });
    });

    test('a scan requested by reference', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/scans', headers: auth(admin), payload: { image: `${REGISTRY}/team/app:2.0` } });
      assert.equal(res.statusCode, 202, res.body);
      const { scan: rec } = JSON.parse(res.body) as { scan: ScanRecord };
      assert.equal(rec.reference, `${REGISTRY}/team/app:2.0`);
      assert.equal(rec.reason, 'api');
      assert.deepEqual(h.calls.at(-1), { reference: `${REGISTRY}/team/app:2.0`, registry: REGISTRY, repository: 'team/app', tag: '2.0', reason: 'api' });
    });

    test('events, filtered by type', async () => {
      await store.addEvents([
        { at: new Date().toISOString(), type: 'image.pushed', registry: REGISTRY, repository: 'team/app', digest: DIGEST_A, data: {} },
        { at: new Date().toISOString(), type: 'db.updated', data: { builtAt: 'x' } },
      ]);
      const res = await app.inject({ method: 'GET', url: '/api/events?type=image.pushed&type=scan.failed', headers: auth(reader) });
      assert.equal(res.statusCode, 200, res.body);
      const { events } = JSON.parse(res.body) as { events: Array<{ id: number; type: string }> };
      assert.ok(events.length >= 1);
      assert.ok(events.every((e) => e.type === 'image.pushed'));
      const later = JSON.parse(
        (await app.inject({ method: 'GET', url: `/api/events?after=${events.at(-1)!.id}&type=image.pushed,db.updated`, headers: auth(reader) })).body,
      ) as { events: Array<{ type: string }> };
      assert.deepEqual(later.events.map((e) => e.type), ['db.updated']);
    });

    test('subscriptions: the secret is write-only', async () => {
      const secret = 'sign-me-0123456789abcdef';
      const res = await app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: auth(admin),
        payload: { name: 'ops', kind: 'webhook', url: 'https://hooks.test/cavas', secret, minSeverity: 'HIGH', onlyFixable: true },
      });
      assert.equal(res.statusCode, 201, res.body);
      const sub = JSON.parse(res.body) as { id: number; hasSecret: boolean; minSeverity: string };
      assert.equal(sub.hasSecret, true);
      assert.equal(sub.minSeverity, 'HIGH');
      assert.ok(!res.body.includes(secret));

      const list = await app.inject({ method: 'GET', url: '/api/subscriptions', headers: auth(admin) });
      assert.ok(!list.body.includes(secret));
      assert.equal((JSON.parse(list.body) as { subscriptions: unknown[] }).subscriptions.length, 1);

      for (const payload of [
        { name: 'x', url: 'ftp://hooks.test/' },
        { name: 'x', url: 'https://hooks.test/', kind: 'email' },
        { name: 'x', url: 'https://hooks.test/', minSeverity: 'SEVERE' },
        { name: 'x', url: 'https://hooks.test/', extra: 1 },
      ]) {
        assertJsonError(await app.inject({ method: 'POST', url: '/api/subscriptions', headers: auth(admin), payload }), 400);
      }

      const deliveries = await app.inject({ method: 'GET', url: `/api/deliveries?subscription=${sub.id}`, headers: auth(admin) });
      assert.deepEqual(JSON.parse(deliveries.body), { deliveries: [] });

      assert.equal((await app.inject({ method: 'DELETE', url: `/api/subscriptions/${sub.id}`, headers: auth(admin) })).statusCode, 204);
      assertJsonError(await app.inject({ method: 'DELETE', url: `/api/subscriptions/${sub.id}`, headers: auth(admin) }), 404);
    });
  });
});
