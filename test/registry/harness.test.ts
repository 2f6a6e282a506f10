/**
 * The registry harness checked with independent clients (skopeo, plain HTTP), so a
 * failing registry-scan test points at cavas and not at the harness.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IMAGES } from '../e2e/cli.js';
import { corruptBlob, getManifest, pushImage, registryGet, startFaultProxy, startRegistry, type Registry } from './harness.js';
import { fetchRaw, run } from './procs.js';

const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
const MULTIARCH = join(IMAGES, 'alpine-3.16.9-multiarch.oci.tar');
const ALPINE_LAYER = 'sha256:2985bc35f94f48c4b1a1cc030dd6a037846c5c6123fbf0d9d681fd8037947200';

const started: Registry[] = [];
after(async () => {
  for (const r of started) await r.stop();
});

async function skopeoInspect(reg: Registry, ref: string, creds?: string): Promise<{ Digest: string; Architecture: string; Layers: string[] }> {
  const args = ['--insecure-policy', 'inspect', '--tls-verify=false'];
  if (creds) args.push('--creds', creds);
  const { stdout } = await run('skopeo', [...args, `docker://${reg.host}/${ref}`]);
  return JSON.parse(stdout) as { Digest: string; Architecture: string; Layers: string[] };
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry harness', () => {
  it('plain: push a gzip docker-archive, read it back, count blob GETs, corrupt a blob, stop', async () => {
    const reg = await startRegistry();
    started.push(reg);
    const digest = await pushImage(reg, `docker-archive:${ALPINE}`, 'alpine:3.16.9');
    const info = await skopeoInspect(reg, 'alpine:3.16.9');
    assert.equal(info.Digest, digest);
    assert.deepEqual(info.Layers, [ALPINE_LAYER]);

    await reg.settle();
    const before = reg.blobGets();
    const blob = await registryGet(reg, `/v2/alpine/blobs/${ALPINE_LAYER}`, '*/*');
    assert.equal(blob.status, 200);
    assert.equal(sha256(blob.body), ALPINE_LAYER);
    await registryGet(reg, `/v2/alpine/blobs/${ALPINE_LAYER}`, '*/*').then((r) => assert.equal(r.status, 200));
    await fetchRaw(`${reg.url}/v2/alpine/blobs/${ALPINE_LAYER}`, { method: 'HEAD' });
    await reg.settle();
    assert.equal(reg.blobGets() - before, 2, 'two GETs counted, the HEAD not');
    assert.equal(reg.blobGets('elsewhere'), 0);

    corruptBlob(reg, ALPINE_LAYER);
    const bad = await registryGet(reg, `/v2/alpine/blobs/${ALPINE_LAYER}`, '*/*');
    assert.equal(bad.status, 200);
    assert.equal(bad.body.length, blob.body.length);
    assert.notEqual(sha256(bad.body), ALPINE_LAYER);

    await reg.stop();
    assert.equal(existsSync(reg.storageDir), false, 'temp dir removed');
    await assert.rejects(fetchRaw(`${reg.url}/v2/`), /ECONNREFUSED/);
  });

  it('multi-arch: --all keeps the index with both platforms', async () => {
    const reg = await startRegistry();
    started.push(reg);
    await pushImage(reg, `oci-archive:${MULTIARCH}`, 'multi:3.16.9', { all: true });
    const index = await getManifest(reg, 'multi', '3.16.9');
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(index.manifests?.map((m) => m.platform?.architecture), ['amd64', 'arm64']);
    await reg.stop();
  });

  it('htpasswd: anonymous pulls are refused, the generated credentials work', async () => {
    const reg = await startRegistry({ auth: 'htpasswd' });
    started.push(reg);
    assert.match(readFileSync(join(reg.storageDir, '..', 'htpasswd'), 'utf8'), /^cavas-user:\$2y\$/);
    await pushImage(reg, `docker-archive:${ALPINE}`, 'alpine:3.16.9');
    await assert.rejects(skopeoInspect(reg, 'alpine:3.16.9'), /unauthorized|authentication required/);
    assert.deepEqual((await skopeoInspect(reg, 'alpine:3.16.9', `${reg.username}:${reg.password}`)).Layers, [ALPINE_LAYER]);
    await reg.stop();
  });

  it('token: the registry trusts the token server (x5c-signed JWTs) and nothing else', async () => {
    const reg = await startRegistry({ auth: 'token' });
    started.push(reg);
    const ts = reg.tokenServer;
    assert.ok(ts);
    await pushImage(reg, `docker-archive:${ALPINE}`, 'alpine:3.16.9');
    assert.deepEqual((await skopeoInspect(reg, 'alpine:3.16.9', `${reg.username}:${reg.password}`)).Layers, [ALPINE_LAYER]);
    assert.ok(ts.requests.some((q) => q.account === 'cavas-user' && q.granted.some((g) => g.actions.includes('push'))));

    const challenge = await fetchRaw(`${reg.url}/v2/alpine/manifests/3.16.9`);
    assert.equal(challenge.status, 401);
    assert.match(String(challenge.headers['www-authenticate']), /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="test-registry",scope="repository:alpine:pull"/);

    const accept = { Accept: 'application/vnd.docker.distribution.manifest.v2+json' };
    const good = ts.sign('cavas-user', [{ name: 'alpine', actions: ['pull'] }]);
    const ok = await fetchRaw(`${reg.url}/v2/alpine/manifests/3.16.9`, { headers: { ...accept, Authorization: `Bearer ${good}` } });
    assert.equal(ok.status, 200, ok.body.toString());
    const otherRepo = ts.sign('cavas-user', [{ name: 'other', actions: ['pull'] }]);
    assert.equal((await fetchRaw(`${reg.url}/v2/alpine/manifests/3.16.9`, { headers: { ...accept, Authorization: `Bearer ${otherRepo}` } })).status, 401);
    const expired = ts.sign('cavas-user', [{ name: 'alpine', actions: ['pull'] }], -120);
    assert.equal((await fetchRaw(`${reg.url}/v2/alpine/manifests/3.16.9`, { headers: { ...accept, Authorization: `Bearer ${expired}` } })).status, 401);
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(256, 1).toString('base64url')}`;
    assert.equal((await fetchRaw(`${reg.url}/v2/alpine/manifests/3.16.9`, { headers: { ...accept, Authorization: `Bearer ${forged}` } })).status, 401);

    const anon = await fetchRaw(`${ts.realm}?service=test-registry&scope=repository:alpine:pull`);
    assert.equal(anon.status, 401);
    const basic = `Basic ${Buffer.from(`${reg.username}:wrong`).toString('base64')}`;
    assert.equal((await fetchRaw(`${ts.realm}?service=test-registry&scope=repository:alpine:pull`, { headers: { Authorization: basic } })).status, 401);
    await reg.stop();
  });

  it('tls: served with a certificate for 127.0.0.1 that only the harness CA verifies', async () => {
    const reg = await startRegistry({ tls: true });
    started.push(reg);
    assert.ok(reg.caFile && reg.url.startsWith('https://'));
    await pushImage(reg, `docker-archive:${ALPINE}`, 'alpine:3.16.9');
    assert.deepEqual((await skopeoInspect(reg, 'alpine:3.16.9')).Layers, [ALPINE_LAYER]);
    assert.equal((await fetchRaw(`${reg.url}/v2/`, { ca: readFileSync(reg.caFile) })).status, 200);
    await assert.rejects(fetchRaw(`${reg.url}/v2/`), /self[- ]signed|unable to (get|verify)/i);
    await reg.stop();
  });

  it('fault proxy: 429 with Retry-After for the first blob GET, then passes through and counts by kind', async () => {
    const reg = await startRegistry();
    started.push(reg);
    await pushImage(reg, `docker-archive:${ALPINE}`, 'alpine:3.16.9');
    const proxy = await startFaultProxy(reg.host, { rules: [{ kind: 'blob', first: 1, retryAfter: 1 }] });
    try {
      const url = `http://${proxy.host}/v2/alpine/blobs/${ALPINE_LAYER}`;
      const first = await fetchRaw(url);
      assert.equal(first.status, 429);
      assert.equal(first.headers['retry-after'], '1');
      const second = await fetchRaw(url);
      assert.equal(second.status, 200);
      assert.equal(sha256(second.body), ALPINE_LAYER);
      assert.equal((await fetchRaw(`http://${proxy.host}/v2/`)).status, 200);
      assert.equal(proxy.count('blob'), 2);
      assert.equal(proxy.count('ping'), 1);
      assert.deepEqual(
        proxy.requests.map((q) => [q.kind, q.outcome, q.faulted]),
        [
          ['blob', 429, true],
          ['blob', 200, false],
          ['ping', 200, false],
        ],
      );
    } finally {
      await proxy.close();
    }
    await reg.stop();
  });
});
