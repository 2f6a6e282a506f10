import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { LayerCache } from '../../src/cache/layer-cache.js';
import type { FileClaim } from '../../src/image/layer.js';
import type { LayerBlobResult } from '../../src/image/layer-blob.js';

const dir = mkdtempSync(join(tmpdir(), 'cavas-layer-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const claims: FileClaim[] = [{ name: 'dpkg', maxBytes: 1000, wants: (p) => p === 'var/lib/dpkg/status' }];
const digest = 'sha256:' + 'ab'.repeat(32);
const result: LayerBlobResult = {
  digest,
  diffId: 'sha256:' + 'cd'.repeat(32),
  size: 1234,
  compression: 'gzip',
  analysis: {
    diffId: 'sha256:' + 'cd'.repeat(32),
    entries: [{ path: 'etc/passwd', type: 'file', mode: 0o644, size: 10, uid: 0, gid: 0 }],
    whiteouts: ['root/.ssh/id_rsa'],
    opaqueDirs: ['var/cache'],
    captured: [{ path: 'var/lib/dpkg/status', content: Buffer.from([0, 1, 2, 255, 0x0a]) }],
    warnings: ['w'],
  },
};

it('round-trips a layer analysis, binary captured content included', () => {
  const cache = new LayerCache(dir, claims);
  assert.equal(cache.get(digest), undefined);
  cache.put(result);
  assert.deepEqual(new LayerCache(dir, claims).get(digest), result);
});

it('other claims, a damaged entry or a malformed digest are misses, never errors', () => {
  const other = new LayerCache(dir, [...claims, { name: 'apk', maxBytes: 1, wants: () => false }]);
  assert.equal(other.get(digest), undefined, 'an entry written for fewer claims lacks captured files');
  const [key] = readdirSync(join(dir, 'layers'));
  writeFileSync(join(dir, 'layers', key!, digest.replace(':', '-') + '.json.gz'), 'garbage');
  const cache = new LayerCache(dir, claims);
  assert.equal(cache.get(digest), undefined);
  assert.equal(cache.misses, 1);
  assert.equal(cache.get('sha256:../../etc/passwd'), undefined);
});
