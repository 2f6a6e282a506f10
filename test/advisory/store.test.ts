import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Advisory } from '../../src/advisory/model.js';
import { AdvisoryDb, AdvisoryDbWriter, packageKey, SCHEMA_VERSION } from '../../src/advisory/store.js';
import { advisoryDbPath, resolveCacheDir } from '../../src/util/cache-dir.js';
import { CavasError } from '../../src/util/errors.js';

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-store-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function buildDb(name: string, fill: (w: AdvisoryDbWriter) => void): { file: string; warnings: string[] } {
  const file = path.join(tmp, name);
  const warnings: string[] = [];
  const w = AdvisoryDbWriter.create(file, (m) => warnings.push(m));
  fill(w);
  w.finish({ builtAt: '2026-01-02T03:04:05.000Z', origin: 'test' });
  return { file, warnings };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CavasError, `expected CavasError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'));
    return e.code;
  }
  assert.fail('expected an error');
}

const ghsa: Advisory = {
  id: 'GHSA-aaaa-bbbb-cccc',
  source: 'osv',
  aliases: ['CVE-2024-0001'],
  summary: 'prototype pollution',
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  cvssScore: 9.8,
  severity: 'CRITICAL',
  modified: '2024-02-01T00:00:00Z',
  affected: [
    {
      ecosystem: 'npm',
      distro: '',
      package: 'lodash',
      status: 'fixed',
      fixedVersion: '4.17.21',
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
    { ecosystem: 'gem', distro: '', package: 'lodash-rails', status: 'unfixed', versions: ['1.0.0', '1.0.1'] },
  ],
};

describe('cache dir', () => {
  test('flag, then CAVAS_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(resolveCacheDir('/x/flag', { CAVAS_CACHE_DIR: '/x/env' }), '/x/flag');
    assert.equal(resolveCacheDir(undefined, { CAVAS_CACHE_DIR: '/x/env', XDG_CACHE_HOME: '/x/xdg' }), '/x/env');
    assert.equal(resolveCacheDir(undefined, { CAVAS_CACHE_DIR: '', XDG_CACHE_HOME: '/x/xdg' }), '/x/xdg/cavas');
    // a relative XDG_CACHE_HOME is invalid per the spec
    assert.equal(resolveCacheDir(undefined, { XDG_CACHE_HOME: 'rel' }), path.join(os.homedir(), '.cache', 'cavas'));
    assert.equal(advisoryDbPath('/c'), '/c/db/advisories.db');
  });
});

describe('AdvisoryDbWriter + AdvisoryDb', () => {
  test('round-trips advisory fields, affected rows and KEV', () => {
    const { file } = buildDb('roundtrip.db', (w) => {
      w.addAdvisory(ghsa);
      w.addKev({ cve: 'CVE-2024-0001', dateAdded: '2024-03-01', vendorProject: 'x' });
      w.addKev({ cve: 'CVE-2024-0002', dateAdded: '2024-03-02' });
      w.addSource({ name: 'osv/npm/all.zip', feed: 'osv', location: '/m/osv/npm/all.zip', records: 1, bytes: 10, sha256: 'ab', fetchedAt: '2026-01-02T00:00:00.000Z' });
    });
    const db = AdvisoryDb.open(file);
    try {
      const rows = db.findAffected('npm', '', ['lodash', 'not-there']);
      assert.equal(rows.length, 1);
      const [row] = rows;
      assert.deepEqual(row, {
        id: ghsa.id,
        source: 'osv',
        aliases: ['CVE-2024-0001'],
        summary: 'prototype pollution',
        cvssVector: ghsa.cvssVector,
        cvssScore: 9.8,
        severity: 'CRITICAL',
        modified: '2024-02-01T00:00:00Z',
        affected: ghsa.affected[0],
      });
      assert.deepEqual(db.findAffected('gem', '', ['lodash-rails'])[0]?.affected, ghsa.affected[1]);
      // ecosystem and distro are part of the key
      assert.equal(db.findAffected('npm', 'debian:12', ['lodash']).length, 0);
      assert.equal(db.findAffected('pypi', '', ['lodash']).length, 0);
      assert.deepEqual(db.findAffected('npm', '', []), []);

      assert.deepEqual([...db.kevSet(['CVE-2024-0002', 'CVE-1999-0001', 'CVE-2024-0002'])], ['CVE-2024-0002']);
      const st = db.status();
      assert.equal(st.schemaVersion, SCHEMA_VERSION);
      assert.equal(st.builtAt, '2026-01-02T03:04:05.000Z');
      assert.equal(st.origin, 'test');
      assert.deepEqual(st.counts, { advisories: 1, affected: 2, kev: 2, malwareHashes: 0 });
      assert.deepEqual(st.sources.map((s) => [s.name, s.feed, s.records]), [['osv/npm/all.zip', 'osv', 1]]);
    } finally {
      db.close();
    }
  });

  test('a repeated advisory is merged: one row, affected lists joined, identical rows once', () => {
    const { file } = buildDb('merge.db', (w) => {
      // Alpine secdb: the same CVE in main (openssl) and community (openssl1.1-compat)
      w.addAdvisory({
        id: 'CVE-2023-0464',
        source: 'alpine-secdb',
        aliases: [],
        affected: [{ ecosystem: 'apk', distro: 'alpine:v3.17', package: 'openssl', status: 'fixed', fixedVersion: '3.0.8-r1' }],
      });
      w.addAdvisory({
        id: 'CVE-2023-0464',
        source: 'alpine-secdb',
        aliases: ['XSA-1'],
        summary: 'filled by the second copy',
        affected: [{ ecosystem: 'apk', distro: 'alpine:v3.17', package: 'openssl1.1-compat', status: 'fixed', fixedVersion: '1.1.1t-r2' }],
      });
      // the same OSV record from two zips
      w.addAdvisory(ghsa);
      w.addAdvisory({ ...ghsa, summary: 'a later copy does not override' });
      // the same id from another source is another advisory
      w.addAdvisory({ ...ghsa, source: 'other' });
    });
    const raw = new Database(file, { readonly: true });
    try {
      const n = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n;
      assert.equal(n(`SELECT COUNT(*) AS n FROM advisories WHERE id = 'CVE-2023-0464'`), 1);
      assert.equal(n(`SELECT COUNT(*) AS n FROM advisories WHERE id = 'GHSA-aaaa-bbbb-cccc'`), 2);
      assert.equal(n('SELECT COUNT(*) AS n FROM affected'), 2 + 2 + 2);
    } finally {
      raw.close();
    }
    const db = AdvisoryDb.open(file);
    try {
      const rows = db.findAffected('apk', 'alpine:v3.17', ['openssl', 'openssl1.1-compat']);
      assert.deepEqual(rows.map((r) => [r.affected.package, r.affected.fixedVersion]).sort(), [
        ['openssl', '3.0.8-r1'],
        ['openssl1.1-compat', '1.1.1t-r2'],
      ]);
      for (const r of rows) {
        assert.deepEqual(r.aliases, ['XSA-1']);
        assert.equal(r.summary, 'filled by the second copy');
      }
      const npm = db.findAffected('npm', '', ['lodash']);
      assert.deepEqual(npm.map((r) => r.source).sort(), ['osv', 'other']);
      assert.equal(npm.find((r) => r.source === 'osv')?.summary, 'prototype pollution');
    } finally {
      db.close();
    }
  });

  test('identical affected entries within one record are stored once', () => {
    const entry = ghsa.affected[0]!;
    const { file } = buildDb('within.db', (w) => w.addAdvisory({ ...ghsa, affected: [entry, { ...entry }, { ...entry, fixedVersion: '5' }] }));
    const db = AdvisoryDb.open(file);
    try {
      assert.equal(db.findAffected('npm', '', ['lodash']).length, 2);
    } finally {
      db.close();
    }
  });

  test('lookups batch past the IN-list chunk size and normalise PyPI names', () => {
    const names = Array.from({ length: 1203 }, (_, i) => `pkg-${i}`);
    const { file } = buildDb('many.db', (w) => {
      for (const name of names) {
        w.addAdvisory({ id: `ADV-${name}`, source: 'osv', aliases: [], affected: [{ ecosystem: 'npm', distro: '', package: name, status: 'unfixed', versions: ['1'] }] });
      }
      w.addAdvisory({ id: 'PYSEC-1', source: 'osv', aliases: [], affected: [{ ecosystem: 'pypi', distro: '', package: 'Zope_Interface', status: 'unfixed', versions: ['1'] }] });
    });
    const db = AdvisoryDb.open(file);
    try {
      const rows = db.findAffected('npm', '', [...names, ...names]);
      assert.equal(rows.length, names.length);
      assert.deepEqual(new Set(rows.map((r) => r.affected.package)), new Set(names));
      const py = db.findAffected('pypi', '', ['zope.interface']);
      assert.equal(py.length, 1);
      assert.equal(py[0]?.affected.package, 'Zope_Interface');
    } finally {
      db.close();
    }
    assert.equal(packageKey('pypi', 'Foo__Bar.baz'), 'foo-bar-baz');
    assert.equal(packageKey('npm', 'JSONStream'), 'JSONStream');
  });
});

describe('AdvisoryDb.open errors', () => {
  test('DB_MISSING names the path and says how to fix it', () => {
    const file = path.join(tmp, 'nope', 'advisories.db');
    try {
      AdvisoryDb.open(file);
      assert.fail('expected DB_MISSING');
    } catch (e) {
      assert.ok(e instanceof CavasError);
      assert.equal(e.code, 'DB_MISSING');
      assert.match(e.message, /nope\/advisories\.db/);
      assert.match(e.message, /cavas db update/);
    }
  });

  test('garbage, empty, foreign SQLite, wrong schema version and truncated files are DB_CORRUPT', () => {
    const garbage = path.join(tmp, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    assert.equal(codeOf(() => AdvisoryDb.open(garbage)), 'DB_CORRUPT');

    const empty = path.join(tmp, 'empty.db');
    writeFileSync(empty, '');
    assert.equal(codeOf(() => AdvisoryDb.open(empty)), 'DB_CORRUPT');

    const foreign = path.join(tmp, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    assert.equal(codeOf(() => AdvisoryDb.open(foreign)), 'DB_CORRUPT');

    const { file: good } = buildDb('versioned.db', (w) => w.addAdvisory(ghsa));
    const old = path.join(tmp, 'old-version.db');
    copyFileSync(good, old);
    const o = new Database(old);
    o.prepare(`UPDATE meta SET value = '0' WHERE key = 'schema_version'`).run();
    o.close();
    assert.equal(codeOf(() => AdvisoryDb.open(old)), 'DB_CORRUPT');
    assert.throws(() => AdvisoryDb.open(old), /schema version 0/);

    const { file: big } = buildDb('big.db', (w) => {
      for (let i = 0; i < 2000; i++) w.addAdvisory({ ...ghsa, id: `GHSA-${i}` });
    });
    const cut = path.join(tmp, 'truncated.db');
    copyFileSync(big, cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    assert.equal(codeOf(() => AdvisoryDb.open(cut)), 'DB_CORRUPT');
    assert.throws(() => AdvisoryDb.open(cut), /truncated/);

    // the intact original still opens
    AdvisoryDb.open(big).close();
    assert.ok(readFileSync(good).subarray(0, 15).toString() === 'SQLite format 3');
  });
});
