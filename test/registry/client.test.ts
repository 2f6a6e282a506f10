import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { RegistryClient, parseRetryAfter, usesPlainHttp, type RegistryClientOptions } from '../../src/registry/client.js';
import { parseReference } from '../../src/registry/reference.js';
import { CavasError } from '../../src/util/errors.js';
import { dockerManifest, fakeRegistry, type FakeAuth, type FakeRegistry } from './fake-registry.js';
import { drain, isolatedEnv, registryError, rejectsWith, serve, sha256, tempDir, type Handler, type TestServer } from './helpers.js';

const tmp = tempDir('registry-client');
after(() => tmp.cleanup());
const emptyConfigDir = path.join(tmp.dir, 'empty-docker-config');
mkdirSync(emptyConfigDir);

/** Everything a test started, closed after it. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(opts: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient({ env: isolatedEnv(emptyConfigDir), retryBaseMs: 1, ...opts });
  cleanups.push(() => c.close());
  return c;
}

async function registry(auth?: FakeAuth): Promise<FakeRegistry> {
  const r = await fakeRegistry(auth);
  cleanups.push(() => r.close());
  return r;
}

async function server(handler: Handler, address?: string): Promise<TestServer> {
  const s = await serve(handler, address);
  cleanups.push(() => s.close());
  return s;
}

/** A registry holding repo `team/app:1.0` with one config and one layer. */
async function populated(auth?: FakeAuth) {
  const reg = await registry(auth);
  const config = reg.addBlob('{}');
  const layerData = Buffer.alloc(200_000, 7);
  const layer = reg.addBlob(layerData);
  const manifest = reg.addManifest('1.0', dockerManifest(config, layer, layerData.length));
  const ref = parseReference(`${reg.server.host}/team/app:1.0`);
  return { reg, ref, config, layer, layerData, manifest };
}

const PASSWORD = 'S3cr3t-Pa55word!';

describe('RegistryClient: manifests and blobs', () => {
  it('fetches a manifest by tag and by digest, asking for the four supported types', async () => {
    const { reg, ref, manifest } = await populated();
    const c = client();
    const byTag = await c.getManifest(ref);
    assert.equal(byTag.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(byTag.digest, manifest.digest);
    assert.deepEqual(byTag.body, manifest.body);
    const byDigest = await c.getManifest(ref, manifest.digest);
    assert.equal(byDigest.digest, manifest.digest);
    const accept = String(reg.server.requests[0]?.headers.accept);
    for (const t of ['oci.image.index.v1', 'oci.image.manifest.v1', 'manifest.list.v2', 'distribution.manifest.v2']) {
      assert.ok(accept.includes(t), accept);
    }
    assert.ok(!accept.includes('distribution.manifest.v1'), 'no schema 1');
    assert.deepEqual(c.requestCounts, { manifest: 2, blob: 0, token: 0 });
  });

  it('an OCI manifest served as application/json is typed by its mediaType field or its shape', async () => {
    const reg = await registry();
    reg.addManifest('typed', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }, 'application/json');
    reg.addManifest('shape', { schemaVersion: 2, manifests: [] }, 'application/json');
    const c = client();
    const ref = parseReference(`${reg.server.host}/x`);
    assert.equal((await c.getManifest(ref, 'typed')).mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal((await c.getManifest(ref, 'shape')).mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  it('streams a blob and verifies it; getBlobBuffer for small ones', async () => {
    const { ref, config, layer, layerData } = await populated();
    const c = client();
    assert.deepEqual(await drain(await c.getBlob(ref, layer, layerData.length)), layerData);
    assert.equal((await c.getBlobBuffer(ref, config, 1024)).toString(), '{}');
    await rejectsWith(c.getBlobBuffer(ref, layer, 1024), 'LIMIT_EXCEEDED');
    await rejectsWith(c.getBlobBuffer(ref, layer, 1024, layerData.length), 'LIMIT_EXCEEDED');
  });

  it('404 on a manifest -> NOT_FOUND naming the image; on a blob -> MISSING_BLOB', async () => {
    const { ref } = await populated();
    const c = client();
    const e = await rejectsWith(c.getManifest({ ...ref, tag: 'nope' }), 'NOT_FOUND');
    assert.equal(e.message, `${ref.registry}/team/app:nope: manifest not found (404 MANIFEST_UNKNOWN: manifest unknown)`);
    const missing = sha256('not there');
    const b = await rejectsWith(c.getBlob(ref, missing), 'MISSING_BLOB');
    assert.match(b.message, new RegExp(`team/app: blob ${missing}: not found`));
  });

  it('schema 1 manifests are refused clearly', async () => {
    const reg = await registry();
    reg.addManifest('old', { schemaVersion: 1, name: 'x', fsLayers: [] }, 'application/vnd.docker.distribution.manifest.v1+prettyjws');
    reg.addManifest('old-json', { schemaVersion: 1, name: 'x', fsLayers: [] }, 'application/json');
    const c = client();
    for (const tag of ['old', 'old-json']) {
      const e = await rejectsWith(c.getManifest(parseReference(`${reg.server.host}/x:${tag}`)), 'BAD_IMAGE');
      assert.match(e.message, /schema 1 manifests are not supported/);
    }
  });

  it('a manifest over 4 MiB -> LIMIT_EXCEEDED, whether or not Content-Length says so', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const s = await server((req, res) => {
      if (req.url?.endsWith('/declared')) {
        res.writeHead(200, { 'content-length': big.length, 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      } else {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }); // chunked
      }
      res.end(big);
    });
    const c = client();
    for (const tag of ['declared', 'chunked']) {
      const e = await rejectsWith(c.getManifest(parseReference(`${s.host}/x:${tag}`)), 'LIMIT_EXCEEDED');
      assert.match(e.message, /4194304-byte limit/);
    }
  });

  it('a manifest that does not match the requested digest or the registry\'s header -> DIGEST_MISMATCH', async () => {
    const body = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}');
    const wrong = sha256('something else');
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': wrong });
      res.end(body);
    });
    const c = client();
    const ref = parseReference(`${s.host}/x:t`);
    const byDigest = await rejectsWith(c.getManifest(ref, wrong), 'DIGEST_MISMATCH');
    assert.match(byDigest.message, new RegExp(`x@${wrong}: manifest digest mismatch: requested ${wrong}, content is ${sha256(body)}`));
    await rejectsWith(c.getManifest(ref), 'DIGEST_MISMATCH');
  });

  it('a blob whose bytes do not hash to its digest fails at the end of the consumer\'s loop', async () => {
    const { reg, ref, layer, layerData } = await populated();
    const tampered = Buffer.from(layerData);
    tampered[1000] = 0;
    reg.blobs.set(layer, tampered);
    const c = client();
    const stream = await c.getBlob(ref, layer, layerData.length);
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen += chunk.length;
      })(),
      (e: unknown) =>
        e instanceof CavasError &&
        e.code === 'DIGEST_MISMATCH' &&
        e.message.startsWith(`${ref.registry}/team/app: blob ${layer}: digest mismatch`),
    );
    assert.equal(seen, layerData.length, 'all bytes were delivered before the verdict');
  });

  it('a blob larger than the manifest says fails before streaming (Content-Length) or as soon as it overflows', async () => {
    const { ref, layer, layerData } = await populated();
    const c = client();
    const e = await rejectsWith(c.getBlob(ref, layer, 100), 'DIGEST_MISMATCH');
    assert.match(e.message, /size mismatch: the manifest says 100 bytes, the registry sends 200000/);

    const chunked = await server((_req, res) => {
      res.writeHead(200);
      res.write(layerData.subarray(0, 100_000));
      setTimeout(() => res.end(layerData.subarray(100_000)), 20);
    });
    const stream = await client().getBlob(parseReference(`${chunked.host}/team/app`), layer, 150_000);
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen += chunk.length;
      })(),
      (err: unknown) => err instanceof CavasError && /registry sent more/.test(err.message),
    );
    assert.ok(seen <= 150_000);
  });

  it('a cut blob download resumes with a Range request', async () => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
    const digest = sha256(data);
    let first = true;
    const s = await server((req, res) => {
      const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      if (first) {
        first = false;
        res.writeHead(200, { 'content-length': data.length });
        res.write(data.subarray(0, 120_000));
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }
      const from = Number(range?.[1] ?? 0);
      res.writeHead(206, { 'content-length': data.length - from, 'content-range': `bytes ${from}-${data.length - 1}/${data.length}` });
      res.end(data.subarray(from));
    });
    const c = client();
    const got = await drain(await c.getBlob(parseReference(`${s.host}/x`), digest, data.length));
    assert.ok(got.equals(data));
    assert.equal(c.requestCounts.blob, 2);
    assert.match(String(s.requests[1]?.headers.range), /^bytes=\d+-$/);
  });
});

describe('RegistryClient: auth', () => {
  it('bearer: follows the challenge, asks for repository:<name>:pull with the service, reuses the token', async () => {
    const { reg, ref, layer } = await populated({ kind: 'bearer', tokenField: 'access_token', service: 'svc.test' });
    const c = client();
    await c.getManifest(ref);
    await drain(await c.getBlob(ref, layer));
    assert.equal(reg.tokenRequests.length, 1);
    const t = reg.tokenRequests[0];
    assert.equal(t?.query.get('scope'), 'repository:team/app:pull');
    assert.equal(t?.query.get('service'), 'svc.test');
    assert.equal(t?.authorization, undefined, 'anonymous token without credentials');
    // 401, then the manifest with the token; the blob goes straight in with it.
    assert.deepEqual(c.requestCounts, { manifest: 2, blob: 1, token: 1 });
    assert.equal(reg.server.requests.at(-1)?.headers.authorization, 'Bearer tok-1');
  });

  it('bearer with credentials: Basic to the token server, `token` field accepted', async () => {
    const { reg, ref } = await populated({ kind: 'bearer', users: { alice: PASSWORD }, tokenField: 'token' });
    await client({ credentials: { username: 'alice', password: PASSWORD } }).getManifest(ref);
    assert.equal(reg.tokenRequests[0]?.authorization, `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
  });

  it('an identity token uses the OAuth2 refresh_token grant (POST)', async () => {
    const { reg, ref } = await populated({ kind: 'bearer', refreshTokens: ['refresh-1'], tokenField: 'access_token' });
    const dir = path.join(tmp.dir, 'identity');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [ref.registry]: { identitytoken: 'refresh-1' } } }));
    await client({ env: isolatedEnv(dir) }).getManifest(ref);
    const t = reg.tokenRequests[0];
    assert.equal(t?.method, 'POST');
    assert.equal(t?.form?.get('refresh_token'), 'refresh-1');
    assert.equal(t?.form?.get('scope'), 'repository:team/app:pull');
  });

  it('a 401 on a cached token re-runs the challenge once', async () => {
    const { reg, ref, manifest } = await populated({ kind: 'bearer' });
    const c = client();
    await c.getManifest(ref);
    reg.validTokens.clear(); // the registry no longer takes tok-1
    assert.equal((await c.getManifest(ref)).digest, manifest.digest);
    assert.equal(c.requestCounts.token, 2);
  });

  it('anonymous access refused -> AUTH_FAILED naming the registry and how to log in', async () => {
    const { reg, ref } = await populated({ kind: 'bearer' });
    const s = await server((req, res) => {
      // A registry that hands out tokens but never accepts them (e.g. a private repository).
      if (req.url?.startsWith('/token')) return void res.writeHead(200).end('{"token":"anon"}');
      registryError(res, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': `Bearer realm="http://${reg.server.host}/token",service="s"`,
      });
    });
    const e = await rejectsWith(client().getManifest({ ...ref, registry: s.host }), 'AUTH_FAILED');
    assert.equal(
      e.message,
      `${s.host}: authentication required (401 UNAUTHORIZED: authentication required) for team/app; pass --username and --password-stdin, set CAVAS_USERNAME/CAVAS_PASSWORD, or add credentials to ~/.docker/config.json`,
    );
  });

  it('basic: credentials from the environment are sent; none -> AUTH_FAILED with the login hint', async () => {
    const { reg, ref, manifest } = await populated({ kind: 'basic', users: { bob: PASSWORD } });
    const withEnv = client({ env: isolatedEnv(emptyConfigDir, { CAVAS_USERNAME: 'bob', CAVAS_PASSWORD: PASSWORD }) });
    assert.equal((await withEnv.getManifest(ref)).digest, manifest.digest);
    assert.equal(reg.server.requests.at(-1)?.headers.authorization, `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`);
    const e = await rejectsWith(client().getManifest(ref), 'AUTH_FAILED');
    assert.match(e.message, /^127\.0\.0\.1:\d+: authentication required \(401.*\) for team\/app; pass --username/);
  });

  it('docker config.json credentials are used by the client', async () => {
    const { reg, ref } = await populated({ kind: 'basic', users: { carol: PASSWORD } });
    const dir = path.join(tmp.dir, 'cfg-client');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [ref.registry]: { auth: Buffer.from(`carol:${PASSWORD}`).toString('base64') } } }));
    const lines: string[] = [];
    await client({ env: isolatedEnv(dir), log: (m) => lines.push(m) }).getManifest(ref);
    assert.equal(reg.server.requests.length, 2);
    assert.ok(lines.some((l) => l.includes('using credentials from') && l.includes('config.json')));
  });

  it('the password never appears in error messages or log lines, even when a server echoes it', async () => {
    const b64 = Buffer.from(`mallory:${PASSWORD}`).toString('base64');
    const echo = (req: http.IncomingMessage): string => {
      const h = req.headers.authorization ?? '';
      return `you sent ${h} = ${Buffer.from(h.replace(/^Basic /, ''), 'base64').toString('utf8')}`;
    };
    const basicReg = await server((req, res) => {
      registryError(res, 401, 'UNAUTHORIZED', echo(req), { 'www-authenticate': 'Basic realm="x"' });
    });
    const tokenReg = await server((req, res) => {
      if (req.url?.startsWith('/token')) return registryError(res, 401, 'DENIED', echo(req));
      registryError(res, 401, 'UNAUTHORIZED', 'auth', { 'www-authenticate': `Bearer realm="http://${tokenReg.host}/token"` });
    });
    const forbidden = await server((req, res) => registryError(res, 403, 'DENIED', echo(req)));
    const dead = await server(() => {});
    await dead.close();

    const lines: string[] = [];
    const messages: string[] = [];
    const c = client({ credentials: { username: 'mallory', password: PASSWORD }, log: (m) => lines.push(m), retries: 0, timeoutMs: 2000 });
    for (const s of [basicReg, tokenReg, forbidden, dead]) {
      try {
        await c.getManifest(parseReference(`${s.host}/team/app`));
        assert.fail('should not succeed');
      } catch (e) {
        assert.ok(e instanceof CavasError, String(e));
        messages.push(e.message, String(e.stack));
      }
    }
    assert.equal(messages.length, 8);
    assert.ok(basicReg.requests.length > 0 && tokenReg.requests.length > 0, 'servers saw the credentials');
    for (const text of [...messages, ...lines]) {
      assert.ok(!text.includes(PASSWORD), `password leaked: ${text}`);
      assert.ok(!text.includes(b64), `base64 credentials leaked: ${text}`);
    }
    assert.ok(messages.some((m) => m.includes('***')), 'the echoed secret was redacted, not dropped silently');
  });

  it('a token realm on plain http to a non-loopback host is refused', async () => {
    const s = await server((_req, res) =>
      registryError(res, 401, 'UNAUTHORIZED', 'x', { 'www-authenticate': 'Bearer realm="http://192.0.2.123/token"' }),
    );
    const e = await rejectsWith(client().getManifest(parseReference(`${s.host}/x`)), 'AUTH_FAILED');
    assert.match(e.message, /is not an https URL/);
  });
});

describe('RegistryClient: retries, redirects, failures', () => {
  it('429 with Retry-After: 1 waits about a second, then succeeds', async () => {
    let calls = 0;
    const body = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}');
    const s = await server((_req, res) => {
      if (++calls === 1) return registryError(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '1' });
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(body);
    });
    const started = Date.now();
    // retryBaseMs 1: without Retry-After the retry would come almost at once.
    await client().getManifest(parseReference(`${s.host}/x`));
    const waited = Date.now() - started;
    assert.ok(waited >= 950 && waited < 3000, `waited ${waited} ms`);
    assert.equal(calls, 2);
  });

  it('503 then success; 502/504 alike; a persistent 503 gives up after retries + 1 attempts', async () => {
    const { reg, ref, layer, layerData } = await populated();
    const fails = [503, 502, 504];
    const flaky = await server((req, res) => {
      const status = fails.shift();
      if (status !== undefined) return registryError(res, status, 'UNAVAILABLE', 'busy');
      res.writeHead(307, { location: `${reg.server.origin}${req.url}` }).end();
    });
    const c = client();
    assert.ok((await drain(await c.getBlob({ ...ref, registry: flaky.host }, layer))).equals(layerData));
    assert.equal(c.requestCounts.blob, 5, '3 failures, 1 redirect, 1 success');

    const down = await server((_req, res) => registryError(res, 503, 'UNAVAILABLE', 'down'));
    const c2 = client({ retries: 2 });
    const e = await rejectsWith(c2.getManifest(parseReference(`${down.host}/x`)), 'FETCH_FAILED');
    assert.match(e.message, /HTTP 503 after 3 attempts$/);
    assert.equal(down.requests.length, 3);
  });

  it('other 4xx are not retried', async () => {
    const s = await server((_req, res) => registryError(res, 400, 'NAME_INVALID', 'bad name'));
    const c = client();
    const e = await rejectsWith(c.getManifest(parseReference(`${s.host}/x`)), 'FETCH_FAILED');
    assert.match(e.message, /HTTP 400 NAME_INVALID: bad name/);
    assert.equal(s.requests.length, 1);
  });

  it('a redirect to another host drops Authorization; one on the same host keeps it', async () => {
    const data = Buffer.from('layer bytes');
    const digest = sha256(data);
    const storage = await server((_req, res) => void res.writeHead(200).end(data), '127.0.0.2');
    const reg = await server((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`) {
        return registryError(res, 401, 'UNAUTHORIZED', 'x', { 'www-authenticate': 'Basic realm="r"' });
      }
      if (req.url?.startsWith('/v2/x/blobs/')) return void res.writeHead(307, { location: `/moved${req.url}` }).end();
      res.writeHead(302, { location: `${storage.origin}/bucket/blob?X-Signature=secret-sig` }).end();
    });
    const lines: string[] = [];
    const c = client({ credentials: { username: 'u', password: PASSWORD }, log: (m) => lines.push(m) });
    const got = await drain(await c.getBlob(parseReference(`${reg.host}/x`), digest));
    assert.ok(got.equals(data));
    assert.equal(reg.requests.at(-1)?.url, `/moved/v2/x/blobs/${digest}`);
    assert.ok(reg.requests.at(-1)?.headers.authorization, 'same-host redirect keeps Authorization');
    assert.equal(storage.requests.length, 1);
    assert.equal(storage.requests[0]?.headers.authorization, undefined);
    assert.ok(!lines.some((l) => l.includes('secret-sig')), 'signed query strings stay out of logs');
  });

  it('registry down -> FETCH_FAILED "cannot reach <registry>: connection refused"', async () => {
    const s = await server(() => {});
    await s.close();
    const c = client({ retries: 2 });
    const e = await rejectsWith(c.getManifest(parseReference(`${s.host}/x`)), 'FETCH_FAILED');
    assert.equal(e.message, `cannot reach ${s.host}: connection refused`);
    assert.equal(c.requestCounts.manifest, 3, 'refused connections are retried');
  });

  it('a registry that accepts but never answers fails after the idle timeout, without retries', async () => {
    const s = await server(() => {}); // never responds
    const c = client({ timeoutMs: 300 });
    const started = Date.now();
    const e = await rejectsWith(c.getManifest(parseReference(`${s.host}/x`)), 'FETCH_FAILED');
    assert.equal(e.message, `cannot reach ${s.host}: no response within 0.3 s`);
    assert.ok(Date.now() - started < 2000);
    assert.equal(c.requestCounts.manifest, 1);
  });
  it('a blob body that stalls mid-way fails after the idle timeout', async () => {
    const data = Buffer.alloc(50_000, 1);
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': data.length });
      res.write(data.subarray(0, 10_000)); // and then nothing
    });
    const c = client({ timeoutMs: 300, retries: 0 });
    const stream = await c.getBlob(parseReference(`${s.host}/x`), sha256(data), data.length);
    const started = Date.now();
    const e = await rejectsWith(() => drain(stream), 'FETCH_FAILED');
    assert.match(e.message, /blob sha256:[0-9a-f]{64}: download failed after 10000 bytes: no response within 0\.3 s$/);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('scheme and Retry-After helpers', () => {
  it('plain http only for loopback and --insecure-registry hosts', () => {
    const table: Array<[string, string[], boolean]> = [
      ['localhost', [], true],
      ['localhost:5000', [], true],
      ['127.0.0.1:5001', [], true],
      ['127.8.9.10', [], true],
      ['[::1]:5000', [], true],
      ['docker.io', [], false],
      ['registry.test', [], false],
      ['10.0.0.1:5000', [], false],
      ['localhost.registry.test', [], false],
      ['registry.test:5000', ['registry.test:5000'], true],
      ['registry.test:5000', ['registry.test'], true],
      ['registry.test:5000', ['registry.test:6000'], false],
      ['registry.test', ['http://Registry.Test/'], true],
      ['[fd00::2]:5000', ['[fd00::2]'], true],
    ];
    for (const [registry, insecure, expected] of table) {
      assert.equal(usesPlainHttp(registry, insecure), expected, `${registry} with ${JSON.stringify(insecure)}`);
    }
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
