/** db update / db status from the command line, including feeds that must not replace a good DB. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MIRROR, cavas, tempDir } from './cli.js';

let work: string;
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A small mirror: Debian tracker, one Alpine branch, KEV. */
function smallMirror(dir: string): void {
  for (const rel of ['debian/tracker.json', 'alpine-secdb/v3.16/main.json', 'alpine-secdb/v3.16/community.json', 'kev/known_exploited_vulnerabilities.json']) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    cpSync(join(MIRROR, rel), join(dir, rel));
  }
}

before(() => {
  work = tempDir('db-cli');
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('cavas db', () => {
  it('update from a small mirror, then status in text and json', () => {
    const mirror = join(work, 'mirror');
    smallMirror(mirror);
    const cache = join(work, 'cache');
    const up = cavas(['--cache-dir', cache, 'db', 'update', '--mirror', mirror]);
    assert.equal(up.status, 0, up.stderr);
    const text = cavas(['--cache-dir', cache, 'db', 'status']);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /debian-tracker/);
    assert.match(text.stdout, /just now|seconds? ago/);
    const json = JSON.parse(cavas(['--cache-dir', cache, 'db', 'status', '--format', 'json']).stdout) as { counts: { kev: number; advisories: number } };
    assert.equal(json.counts.kev, 1404);
    assert.ok(json.counts.advisories > 1000);
    // the cache dir holds the DB and nothing left over from the build
    assert.deepEqual(readdirSync(join(cache, 'db')), ['advisories.db']);
  });

  for (const [what, corrupt] of [
    ['truncated tracker JSON', (m: string) => writeFileSync(join(m, 'debian/tracker.json'), readFileSync(join(MIRROR, 'debian/tracker.json')).subarray(0, 50_000))],
    ['KEV that is not JSON', (m: string) => writeFileSync(join(m, 'kev/known_exploited_vulnerabilities.json'), '<html>rate limited</html>')],
    ['garbage OSV zip', (m: string) => {
      mkdirSync(join(m, 'osv/Debian'), { recursive: true });
      writeFileSync(join(m, 'osv/Debian/all.zip'), Buffer.alloc(4096, 7));
    }],
  ] as const) {
    it(`a ${what} fails the update with one line and keeps the old DB`, () => {
      const cache = join(work, `cache-${what.replace(/\W+/g, '-')}`);
      const good = join(work, 'mirror');
      assert.equal(cavas(['--cache-dir', cache, 'db', 'update', '--mirror', good]).status, 0);
      const db = join(cache, 'db', 'advisories.db');
      const before = digest(db);

      const bad = join(work, `bad-${what.replace(/\W+/g, '-')}`);
      smallMirror(bad);
      corrupt(bad);
      const r = cavas(['--cache-dir', cache, 'db', 'update', '--mirror', bad]);
      assert.equal(r.status, 2, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('cavas: error:'));
      assert.equal(errors.length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(digest(db), before, 'old DB untouched');
      assert.deepEqual(readdirSync(join(cache, 'db')), ['advisories.db'], 'no partial files left');
      assert.equal(cavas(['--cache-dir', cache, 'db', 'status']).status, 0, 'old DB still usable');
    });
  }

  it('an unreachable mirror and a mirror with nothing in it are clear errors', () => {
    const cache = join(work, 'cache-unreachable');
    const r = cavas(['--cache-dir', cache, 'db', 'update', '--mirror', 'http://127.0.0.1:9/']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /127\.0\.0\.1:9/);
    const empty = join(work, 'empty-mirror');
    mkdirSync(empty);
    const e = cavas(['--cache-dir', cache, 'db', 'update', '--mirror', empty]);
    assert.equal(e.status, 2);
    assert.match(e.stderr, /cavas: error:/);
  });

  it('a corrupt DB file is reported, not crashed on', () => {
    const cache = join(work, 'cache-corrupt');
    mkdirSync(join(cache, 'db'), { recursive: true });
    writeFileSync(join(cache, 'db', 'advisories.db'), 'SQLite format 3\0' + 'x'.repeat(5000));
    const r = cavas(['--cache-dir', cache, 'scan', join(MIRROR, '..', 'images', 'alpine-3.16.9.oci.tar')]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /db update/);
  });
});
