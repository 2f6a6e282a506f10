import { after, before, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { AdvisoryDb } from '../../src/advisory/store.js';
import { parseMirror, updateDatabase, type UpdateReport } from '../../src/advisory/update.js';
import { advisoryDbPath } from '../../src/util/cache-dir.js';
import { CavasError } from '../../src/util/errors.js';

const corpus = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const mirror = path.join(corpus, 'advisories');
const KEV_REL = 'kev/known_exploited_vulnerabilities.json';

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-update-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function recordsOf(r: UpdateReport, feed: string): number {
  return r.sources.filter((s) => s.feed === feed).reduce((n, s) => n + s.records, 0);
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<CavasError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CavasError, `expected CavasError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes('\n'));
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected ${code}`);
}

/** Only the database file may remain in db/: no .new-<pid> file, no download dir. */
function assertCleanDbDir(cacheDir: string): void {
  const dir = path.dirname(advisoryDbPath(cacheDir));
  assert.deepEqual(readdirSync(dir).filter((n) => n !== 'advisories.db'), []);
}

/** Static server over `root`; `status` forces a response code for some paths. */
async function serve(root: string, status: Record<string, number> = {}): Promise<{ base: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    requests.push(rel);
    const forced = status[rel];
    const file = path.join(root, rel);
    if (forced !== undefined || rel.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(forced ?? 404).end('no');
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('db update from the corpus mirror', () => {
  let cacheDir: string;
  let report: UpdateReport;

  before(async () => {
    cacheDir = path.join(tmp, 'dir-mirror');
    report = await updateDatabase({ cacheDir, mirror });
  });

  test('loads the mirror layout, skipping osv/<Eco>:<release> and non-mirror folders', () => {
    const names = report.sources.map((s) => s.name);
    assert.ok(names.includes('osv/Debian/all.zip'));
    assert.ok(names.includes('debian/tracker.json'));
    assert.ok(names.includes(KEV_REL));
    assert.ok(names.includes('alpine-secdb/v3.21/community.json'));
    assert.ok(names.includes('alpine-secdb/v3.2/main.json'));
    assert.equal(names.filter((n) => n.startsWith('alpine-secdb/')).length, 41);
    assert.ok(!names.some((n) => n.includes(':')), names.join(' '));
    // Bitnami, CRAN, Hackage, GHC are ecosystems cavas does not scan
    assert.ok(!names.some((n) => /Bitnami|CRAN|Hackage|GHC/.test(n)));
    assert.ok(!names.some((n) => n.startsWith('extra/') || n.includes('security-tracker-lists') || n.includes('samples')));
    assert.ok(!report.warnings.some((w) => /not found/.test(w)), report.warnings.join('\n'));
    for (const s of report.sources) {
      assert.match(s.sha256, /^[0-9a-f]{64}$/);
      assert.equal(s.bytes, statSync(path.join(mirror, s.name)).size);
    }
    console.log(`full corpus update (dir mirror): ${report.durationMs} ms, ${JSON.stringify(report.counts)}`);
  });

  test('record counts', () => {
    assert.equal(recordsOf(report, 'kev'), 1404);
    assert.equal(report.counts.kev, 1404);
    assert.ok(recordsOf(report, 'debian-tracker') > 1000);
    assert.ok(recordsOf(report, 'alpine-secdb') > 8000);
    assert.equal(report.sources.find((s) => s.name === 'osv/Go/all.zip')?.records, 4291);
    assert.ok(report.counts.advisories > 20_000 && report.counts.affected > report.counts.advisories);
    assertCleanDbDir(cacheDir);
  });

  test('findAffected: Debian 12 openssl and glibc from the tracker and from OSV', () => {
    const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
    try {
      const rows = db.findAffected('deb', 'debian:12', ['openssl', 'glibc']);
      assert.ok(rows.length > 100);
      assert.deepEqual(new Set(rows.map((r) => r.affected.package)), new Set(['openssl', 'glibc']));
      assert.ok(rows.every((r) => r.affected.ecosystem === 'deb' && r.affected.distro === 'debian:12'));

      const tracker = rows.find((r) => r.source === 'debian-tracker' && r.id === 'CVE-2023-4911');
      assert.equal(tracker?.affected.package, 'glibc');
      assert.equal(tracker?.affected.status, 'fixed');
      assert.equal(tracker?.affected.fixedVersion, '2.36-9+deb12u3');
      assert.equal(tracker?.affected.vendorSeverity, 'MEDIUM');
      assert.match(tracker?.summary ?? '', /GLIBC_TUNABLES/);

      const osv = rows.find((r) => r.source === 'osv' && r.id === 'DEBIAN-CVE-2023-4911');
      assert.deepEqual(osv?.aliases, ['CVE-2023-4911']);
      assert.equal(osv?.affected.fixedVersion, '2.36-9+deb12u3');
      assert.ok(osv?.affected.versions?.includes('2.36-9+deb12u2'));

      const openssl = rows.find((r) => r.id === 'CVE-2019-1547');
      assert.equal(openssl?.affected.fixedVersion, '1.1.1d-1');

      // Debian:11 statements of the same record are kept under their own release
      assert.equal(db.findAffected('deb', 'debian:11', ['glibc']).find((r) => r.id === 'DEBIAN-CVE-2023-4911')?.affected.fixedVersion, '2.31-13+deb11u7');
      assert.ok(db.kevSet(['CVE-2023-4911', 'CVE-1999-99999']).has('CVE-2023-4911'));
    } finally {
      db.close();
    }
  });

  test('an advisory in both Alpine main and community (and several branches) is one advisory', () => {
    const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
    try {
      // CVE-2016-1248: vim in v3.21 main, neovim in v3.21 community
      const rows = db.findAffected('apk', 'alpine:v3.21', ['vim', 'neovim']).filter((r) => r.id === 'CVE-2016-1248');
      assert.deepEqual(rows.map((r) => r.affected.package).sort(), ['neovim', 'vim']);
    } finally {
      db.close();
    }
    const raw = new Database(advisoryDbPath(cacheDir), { readonly: true });
    try {
      const one = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n;
      assert.equal(one(`SELECT COUNT(*) AS n FROM advisories WHERE source = 'alpine-secdb' AND id = 'CVE-2016-1248'`), 1);
      assert.ok(one(`SELECT COUNT(DISTINCT f.distro) AS n FROM affected f JOIN advisories a ON a.pk = f.advisory WHERE a.id = 'CVE-2016-1248'`) > 3);
      // GHSA records sit in several zips (npm + RubyGems ...): repeats happened, and left no duplicate rows
      const distinctOsv = one(`SELECT COUNT(*) AS n FROM advisories WHERE source = 'osv'`);
      assert.ok(recordsOf(report, 'osv') > distinctOsv);
      assert.equal(
        one(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM affected GROUP BY advisory, ecosystem, distro, package, status,
             fixed_version, ranges, versions, vendor_severity HAVING COUNT(*) > 1)`),
        0,
      );
    } finally {
      raw.close();
    }
  });

  test('status() describes the build', () => {
    const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
    try {
      const st = db.status();
      assert.deepEqual(st.counts, report.counts);
      assert.equal(st.origin, mirror);
      assert.equal(st.sources.length, report.sources.length);
      assert.ok(Math.abs(Date.parse(st.builtAt) - Date.now()) < 10 * 60_000);
    } finally {
      db.close();
    }
  });

  test('a file:// mirror reads the same files and replaces the database', async () => {
    const again = await updateDatabase({ cacheDir, mirror: pathToFileURL(mirror).href });
    assert.deepEqual(again.counts, report.counts);
    assert.deepEqual(again.sources.map((s) => [s.name, s.records, s.sha256]), report.sources.map((s) => [s.name, s.records, s.sha256]));
    assertCleanDbDir(cacheDir);
    AdvisoryDb.open(advisoryDbPath(cacheDir)).close();
  });
});

describe('db update over http', () => {
  test('reads the fixed file list; 404s are one warning each, missing Alpine branches one line', async () => {
    // The two biggest zips answer 404 too: the warning path, and a quicker test.
    const server = await serve(mirror, { 'osv/AlmaLinux/all.zip': 404, 'osv/PyPI/all.zip': 404 });
    try {
      const cacheDir = path.join(tmp, 'http-mirror');
      const logs: string[] = [];
      const r = await updateDatabase({ cacheDir, mirror: `${server.base}/`, log: (m) => logs.push(m) });
      const missing = r.warnings.filter((w) => /not found/.test(w));
      for (const eco of ['AlmaLinux', 'PyPI', 'Alpine', 'Rocky Linux', 'Red Hat', 'Packagist']) {
        assert.equal(missing.filter((w) => w.startsWith(`osv/${eco}/all.zip: not found at ${server.base}/osv/${encodeURIComponent(eco)}/all.zip`)).length, 1, eco);
      }
      const alpine = missing.filter((w) => w.startsWith('alpine-secdb'));
      assert.equal(alpine.length, 1);
      assert.match(alpine[0] ?? '', /^alpine-secdb: 3 files not found .*v3\.2\/community\.json, v3\.22\/main\.json, v3\.22\/community\.json/);
      assert.equal(missing.length, 7, missing.join('\n'));

      assert.equal(recordsOf(r, 'kev'), 1404);
      assert.ok(recordsOf(r, 'debian-tracker') > 1000);
      assert.equal(r.sources.filter((s) => s.feed === 'alpine-secdb').length, 41);
      assert.ok(r.sources.every((s) => s.location.startsWith(`${server.base}/`)));
      const debianZip = readFileSync(path.join(mirror, 'osv/Debian/all.zip'));
      assert.equal(r.sources.find((s) => s.name === 'osv/Debian/all.zip')?.sha256, createHash('sha256').update(debianZip).digest('hex'));
      assert.ok(server.requests.includes('osv/Rocky Linux/all.zip'));
      assert.ok(logs.some((l) => l.startsWith('loaded osv/Go/all.zip')));
      assertCleanDbDir(cacheDir);
      assert.deepEqual(readdirSync(cacheDir), ['db']);

      const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
      try {
        assert.ok(db.findAffected('deb', 'debian:12', ['openssl']).length > 0);
        assert.equal(db.status().origin, server.base);
      } finally {
        db.close();
      }
    } finally {
      await server.close();
    }
  });

  test('a server error or a refused connection is FETCH_FAILED naming the URL; the old DB stays', async () => {
    const cacheDir = path.join(tmp, 'http-fail');
    const small = path.join(tmp, 'kev-only');
    mkdirSync(path.join(small, 'kev'), { recursive: true });
    copyFileSync(path.join(mirror, KEV_REL), path.join(small, KEV_REL));
    await updateDatabase({ cacheDir, mirror: small });
    const before = readFileSync(advisoryDbPath(cacheDir));

    const server = await serve(small, { [KEV_REL]: 500 });
    try {
      await rejectsWith(updateDatabase({ cacheDir, mirror: server.base }), 'FETCH_FAILED', new RegExp(`${server.base}/kev/known_exploited_vulnerabilities\\.json: HTTP 500`));
    } finally {
      await server.close();
    }
    // nothing listens on the closed server's port any more
    await rejectsWith(updateDatabase({ cacheDir, mirror: server.base }), 'FETCH_FAILED', new RegExp(`${server.base}/osv/`));

    const empty = await serve(path.join(tmp, 'no-such-dir'));
    try {
      await rejectsWith(updateDatabase({ cacheDir, mirror: empty.base }), 'FETCH_FAILED', /no advisory feed files found/);
    } finally {
      await empty.close();
    }

    const limited = await serve(small);
    try {
      await rejectsWith(updateDatabase({ cacheDir, mirror: limited.base, limits: { maxFileBytes: 1000 } }), 'LIMIT_EXCEEDED', /known_exploited_vulnerabilities\.json/);
    } finally {
      await limited.close();
    }

    assert.deepEqual(readFileSync(advisoryDbPath(cacheDir)), before);
    assertCleanDbDir(cacheDir);
  });
});

describe('db update from upstream', () => {
  test('asks the feeds\' own URLs (fetch stubbed: only KEV answers)', async () => {
    const kev = readFileSync(path.join(mirror, KEV_REL));
    const asked: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      const url = String(input);
      asked.push(url);
      return url.endsWith('/known_exploited_vulnerabilities.json') ? new Response(kev) : new Response('gone', { status: 404 });
    }) as typeof fetch;
    const r = await updateDatabase({ cacheDir: path.join(tmp, 'upstream'), fetchImpl });
    assert.equal(r.origin, 'upstream');
    assert.equal(r.counts.kev, 1404);
    for (const url of [
      'https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip',
      'https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip',
      'https://secdb.alpinelinux.org/v3.22/community.json',
      'https://secdb.alpinelinux.org/edge/main.json',
      'https://security-tracker.debian.org/tracker/data/json',
      'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    ]) {
      assert.ok(asked.includes(url), url);
    }
    // 13 OSV zips and the tracker one line each, 44 secdb files one line
    assert.equal(r.warnings.length, 15, r.warnings.join('\n'));
    assert.equal(r.warnings.filter((w) => w.startsWith('alpine-secdb: 44 files not found on upstream')).length, 1);
  });
});

describe('db update failures keep the previous database', () => {
  function tempMirror(name: string): string {
    const dir = path.join(tmp, name);
    mkdirSync(path.join(dir, 'kev'), { recursive: true });
    copyFileSync(path.join(mirror, KEV_REL), path.join(dir, KEV_REL));
    return dir;
  }

  test('a truncated tracker.json or a garbage all.zip is BAD_FEED; the old file is byte-identical and opens', async () => {
    const cacheDir = path.join(tmp, 'bad-feed');
    const good = tempMirror('good-mirror');
    await updateDatabase({ cacheDir, mirror: good });
    const dbFile = advisoryDbPath(cacheDir);
    const before = readFileSync(dbFile);

    const truncated = tempMirror('truncated-mirror');
    mkdirSync(path.join(truncated, 'debian'));
    const tracker = readFileSync(path.join(mirror, 'debian/tracker.json'));
    writeFileSync(path.join(truncated, 'debian/tracker.json'), tracker.subarray(0, Math.floor(tracker.length / 2)));
    await rejectsWith(updateDatabase({ cacheDir, mirror: truncated }), 'BAD_FEED', /debian\/tracker\.json/);
    assert.deepEqual(readFileSync(dbFile), before);
    assertCleanDbDir(cacheDir);

    const garbage = tempMirror('garbage-zip-mirror');
    mkdirSync(path.join(garbage, 'osv', 'Go'), { recursive: true });
    writeFileSync(path.join(garbage, 'osv/Go/all.zip'), Buffer.from('PK\u0003\u0004 this is not really a zip archive'.repeat(50)));
    await rejectsWith(updateDatabase({ cacheDir, mirror: garbage }), 'BAD_FEED', /osv\/Go\/all\.zip/);
    assert.deepEqual(readFileSync(dbFile), before);
    assertCleanDbDir(cacheDir);

    const db = AdvisoryDb.open(dbFile);
    try {
      assert.equal(db.status().counts.kev, 1404);
    } finally {
      db.close();
    }
  });

  test('a mirror directory with only some feeds warns once per missing fixed-name file', async () => {
    const r = await updateDatabase({ cacheDir: path.join(tmp, 'partial'), mirror: tempMirror('kev-mirror') });
    assert.deepEqual(r.warnings, [`debian/tracker.json: not found at ${path.join(tmp, 'kev-mirror', 'debian/tracker.json')}, skipped`]);
    assert.deepEqual(r.sources.map((s) => s.name), [KEV_REL]);
  });

  test('bad --mirror values', async () => {
    await rejectsWith(updateDatabase({ cacheDir: path.join(tmp, 'm'), mirror: path.join(tmp, 'absent') }), 'NOT_FOUND');
    assert.throws(() => parseMirror('ftp://example.invalid/x'), (e: unknown) => e instanceof CavasError && e.code === 'USAGE');
    assert.deepEqual(parseMirror(pathToFileURL('/srv/m').href), { kind: 'dir', root: '/srv/m' });
    assert.deepEqual(parseMirror('https://u:p@m.example.invalid/base/'), { kind: 'http', base: 'https://u:p@m.example.invalid/base' });
    assert.deepEqual(parseMirror(undefined), { kind: 'upstream' });
  });
});
