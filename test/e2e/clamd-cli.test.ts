/**
 * `cavas scan --clamd` against a real clamd (Debian's clamav-daemon) loaded only with the
 * test's own signatures: hits come back with their path and layer, deleted files included;
 * a clamd that cannot be reached still gives the full report, then a one-line error, exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MalwareFinding, ScanResult } from '../../src/types.js';
import { EICAR, EICAR_SIGNATURE, MARKER, MARKER_SIGNATURE, clamdSkipReason, startClamd, type ClamdDaemon } from '../check/malware/clamd-daemon.js';
import { buildImage, debianRootfs, dir, file, whiteout } from '../fixtures/hostile-images.js';
import { IMAGES, cavas, corpusCache } from './cli.js';

const skip = clamdSkipReason();
const work = mkdtempSync(join(tmpdir(), 'cavas-clamd-cli-'));
let clamd: ClamdDaemon | undefined;
let cache: { dir: string; cleanup: () => void };
let image: string;

before(async () => {
  cache = corpusCache();
  const built = await buildImage(work, {
    layout: 'oci-archive',
    layers: [
      { entries: [...debianRootfs(''), dir('srv'), file('srv/clean.txt', 'nothing to see\n'), file('srv/tool.bin', Buffer.concat([Buffer.alloc(5000, 7), MARKER, Buffer.alloc(3000, 9)]), 0o755)] },
      { entries: [dir('tmp'), file('tmp/drop.com', EICAR)] },
      { entries: [dir('tmp'), whiteout('tmp/drop.com')] },
    ],
  });
  image = built.ref;
  if (!skip) clamd = await startClamd();
});
after(async () => {
  await clamd?.stop();
  cache?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const clamav = (r: ScanResult): MalwareFinding[] => r.findings.filter((f): f is MalwareFinding => f.kind === 'malware' && f.engine === 'clamav');

describe('cavas scan --clamd', { skip }, () => {
  it('reports each signature hit with its path and layer, deleted files too', () => {
    const r = cavas(['--cache-dir', cache.dir, 'scan', image, '-f', 'json', '--clamd', clamd!.address]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as ScanResult;
    const hits = clamav(result).map((f) => `${f.signature} ${f.path} L${f.layer}${f.removedInLayer !== undefined ? ` removed L${f.removedInLayer}` : ''}`).sort();
    assert.deepEqual(hits, [`${EICAR_SIGNATURE}.UNOFFICIAL tmp/drop.com L1 removed L2`, `${MARKER_SIGNATURE}.UNOFFICIAL srv/tool.bin L0`]);
    // cavas' own EICAR check agrees on the same file
    assert.ok(result.findings.some((f) => f.kind === 'malware' && f.ruleId === 'malware/eicar' && f.path === 'tmp/drop.com'));
    assert.equal(result.errors, undefined);
  });

  it('works over TCP too, on the corpus debian-app (EICAR in layer 7)', async () => {
    const tcp = await startClamd({ tcp: true });
    try {
      const r = cavas(['--cache-dir', cache.dir, 'scan', join(IMAGES, 'debian-app.docker.tar.gz'), '-f', 'json', '--scanners', 'malware', '--clamd', tcp.tcpAddress!]);
      assert.equal(r.status, 0, r.stderr);
      const hits = clamav(JSON.parse(r.stdout) as ScanResult).map((f) => `${f.path} L${f.layer}`);
      assert.deepEqual(hits, ['app/uploads/eicar.com L7']);
    } finally {
      await tcp.stop();
    }
  });
});

describe('cavas scan --clamd with no clamd there', () => {
  it('prints the full report, then one error line, and exits 2', () => {
    const r = cavas(['--cache-dir', cache.dir, 'scan', join(IMAGES, 'alpine-3.16.9.docker.tar.gz'), '-f', 'json', '--clamd', `unix:${join(work, 'no-such.sock')}`]);
    assert.equal(r.status, 2);
    const result = JSON.parse(r.stdout) as ScanResult;
    assert.ok(result.findings.some((f) => f.kind === 'vulnerability'), 'vulnerability results are still printed');
    assert.equal(result.errors?.length, 1);
    const errLines = r.stderr.split('\n').filter((l) => l.startsWith('cavas: error:'));
    assert.equal(errLines.length, 1);
    assert.match(errLines[0]!, /clamd.*no-such\.sock.*without ClamAV/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a malformed address is a usage error before anything is read', () => {
    const r = cavas(['--cache-dir', cache.dir, 'scan', join(IMAGES, 'alpine-3.16.9.docker.tar.gz'), '--clamd', 'ftp://x']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^cavas: error: .*clamd/m);
  });
});
