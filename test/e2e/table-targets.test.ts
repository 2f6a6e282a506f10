/** The table groups vulnerabilities by target, as a person fixes them. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IMAGES, cavas, corpusCache } from './cli.js';

describe('table grouped by target (debian-app)', () => {
  let cache: { dir: string; cleanup: () => void };
  before(() => {
    cache = corpusCache();
  });
  after(() => cache.cleanup());

  it('OS packages, the npm app, the jar folder and the Go binary each get a heading and counts', () => {
    const r = cavas(['--cache-dir', cache.dir, 'scan', join(IMAGES, 'debian-app.docker.tar.gz'), '--scanners', 'vuln', '-q']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const headings = lines.flatMap((l, i) => (lines[i + 1]?.startsWith('Total: ') && !l.startsWith('└') ? [l] : []));
    assert.deepEqual(headings, ['Debian GNU/Linux 12 (bookworm) (OS packages, dpkg)', 'app (npm)', 'opt/app/lib (maven)', 'usr/bin/fzf (go)']);
    const totals = lines.filter((l) => l.startsWith('Total: ')).map((l) => Number(/^Total: (\d+)/.exec(l)![1]));
    // the per-target counts add up to the image's total, printed last
    assert.equal(totals.slice(0, -1).reduce((a, b) => a + b, 0), totals.at(-1));
    assert.ok(totals.at(-1)! > 100);
  });
});
