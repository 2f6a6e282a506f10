/**
 * Smoke test against a real registry (Debian's docker-registry), images pushed with skopeo
 * from the corpus. Two registry processes share one storage directory: an open one to push
 * to, and one behind htpasswd Basic auth. Skipped when the tools are missing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { parseReference } from '../../src/registry/reference.js';
import { isolatedEnv, rejectsWith, tempDir } from './helpers.js';

const CORPUS = '/work/shared/corpus/images';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const missing = ['docker-registry', 'skopeo', 'htpasswd'].filter((c) => !has('sh', ['-c', `command -v ${c}`]));
const skip = missing.length > 0 ? `missing ${missing.join(', ')}` : false;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForRegistry(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`registry on port ${port} did not start`);
}

describe('RegistryClient against docker-registry', { skip }, () => {
  const tmp = tempDir('real-registry');
  const children: ChildProcess[] = [];
  const clients: RegistryClient[] = [];
  const configDir = path.join(tmp.dir, 'docker');
  let open = '';
  let locked = '';
  const client = (opts: RegistryClientOptions = {}): RegistryClient => {
    const c = new RegistryClient({ env: isolatedEnv(configDir), ...opts });
    clients.push(c);
    return c;
  };

  async function startRegistry(name: string, auth: string): Promise<string> {
    const port = await freePort();
    const config = path.join(tmp.dir, `${name}.yml`);
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(tmp.dir, 'storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: cavas-test\n${auth}`,
    );
    const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    children.push(child);
    await waitForRegistry(port);
    return `127.0.0.1:${port}`;
  }

  before(async () => {
    mkdirSync(configDir);
    writeFileSync(path.join(tmp.dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'tester', 'real-pw-42']));
    open = await startRegistry('open', '');
    locked = await startRegistry(
      'locked',
      `auth:\n  htpasswd:\n    realm: cavas-test\n    path: ${path.join(tmp.dir, 'htpasswd')}\n`,
    );
    const copy = (src: string, dest: string, all = false): void => {
      execFileSync('skopeo', ['copy', ...(all ? ['--all'] : []), '--dest-tls-verify=false', src, `docker://${open}/${dest}`], {
        stdio: 'ignore',
      });
    };
    copy(`oci-archive:${CORPUS}/alpine-3.16.9.oci.tar`, 'library/alpine:3.16.9');
    copy(`oci-archive:${CORPUS}/alpine-3.16.9-multiarch.oci.tar`, 'multi/alpine:3.16.9', true);
  });

  after(() => {
    for (const c of clients) c.close();
    for (const child of children) child.kill();
    tmp.cleanup();
  });

  it('pulls manifest, config and layers, all verified', async () => {
    const c = client();
    const ref = parseReference(`${open}/library/alpine:3.16.9`);
    const m = await c.getManifest(ref);
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const manifest = JSON.parse(m.body.toString()) as {
      config: { digest: string; size: number };
      layers: Array<{ digest: string; size: number }>;
    };
    const config = JSON.parse((await c.getBlobBuffer(ref, manifest.config.digest, 1 << 20, manifest.config.size)).toString()) as {
      os: string;
    };
    assert.equal(config.os, 'linux');
    for (const layer of manifest.layers) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await c.getBlob(ref, layer.digest, layer.size)) {
        hash.update(chunk);
        size += chunk.length;
      }
      assert.equal(size, layer.size);
      assert.equal(`sha256:${hash.digest('hex')}`, layer.digest);
    }
    assert.deepEqual(c.requestCounts, { manifest: 1, blob: 1 + manifest.layers.length, token: 0 });
  });

  it('an index, then a platform manifest by digest', async () => {
    const c = client();
    const ref = parseReference(`${open}/multi/alpine:3.16.9`);
    const index = await c.getManifest(ref);
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    const child = (JSON.parse(index.body.toString()) as { manifests: Array<{ digest: string }> }).manifests[0];
    assert.ok(child);
    const m = await c.getManifest(ref, child.digest);
    assert.equal(m.digest, child.digest);
  });

  it('unknown tag -> NOT_FOUND', async () => {
    const e = await rejectsWith(client().getManifest(parseReference(`${open}/library/alpine:9.9`)), 'NOT_FOUND');
    assert.match(e.message, /library\/alpine:9\.9: manifest not found \(404 MANIFEST_UNKNOWN/);
  });

  it('htpasswd registry: AUTH_FAILED without credentials, works with them', async () => {
    const ref = parseReference(`${locked}/library/alpine:3.16.9`);
    const e = await rejectsWith(client().getManifest(ref), 'AUTH_FAILED');
    assert.match(e.message, /authentication required \(401/);
    const wrong = await rejectsWith(client({ credentials: { username: 'tester', password: 'nope' } }).getManifest(ref), 'AUTH_FAILED');
    assert.match(wrong.message, /authentication failed \(401.*\) with the credentials from --username/);
    const ok = await client({ credentials: { username: 'tester', password: 'real-pw-42' } }).getManifest(ref);
    assert.equal(ok.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  });
});
