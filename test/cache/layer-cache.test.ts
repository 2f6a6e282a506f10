import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { LayerCache } from '../../src/cache/layer-cache.js';
import type { FileClaim, LayerScanner } from '../../src/image/layer.js';
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

it('keeps scanner results; scanner settings are part of the key; a scanner without a cache key bypasses reads and is never stored', () => {
  const d = mkdtempSync(join(dir, 'scans-'));
  const secret: LayerScanner = { name: 'secret', cacheKey: 'secret/a', begin: () => ({ file: () => undefined, finish: () => [] }) };
  const clam: LayerScanner = { name: 'clamav', cacheKey: undefined, begin: () => ({ file: () => undefined, finish: () => ({}) }) };
  const scanned: LayerBlobResult = { ...result, analysis: { ...result.analysis, scans: { secret: [{ path: 'a', ruleId: 'secret/x', line: 1 }], clamav: { hits: [{ path: 'b' }] } } } };

  new LayerCache(d, claims, [secret, clam]).put(scanned);
  assert.equal(new LayerCache(d, claims, [secret, clam]).get(digest), undefined, 'clamd verdicts depend on its signatures: no cached layer is used');
  const back = new LayerCache(d, claims, [secret]).get(digest);
  assert.deepEqual(back?.analysis.scans, { secret: [{ path: 'a', ruleId: 'secret/x', line: 1 }] }, 'clamav results were not stored');
  const otherRules = { ...secret, cacheKey: 'secret/b' };
  assert.equal(new LayerCache(d, claims, [otherRules]).get(digest), undefined, 'other secret rules: a miss');
});
