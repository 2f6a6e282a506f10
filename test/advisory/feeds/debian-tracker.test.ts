import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { debianDistro, debianTrackerFeed } from '../../../src/advisory/feeds/debian-tracker.js';
import { MAX_JSON_FEED_BYTES } from '../../../src/advisory/feeds/feed.js';
import type { Advisory, AdvisorySink, KevEntry } from '../../../src/advisory/model.js';
import { CavasError } from '../../../src/util/errors.js';

const corpus = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const mirror = path.join(corpus, 'advisories');

function collector(): AdvisorySink & { advisories: Advisory[]; kev: KevEntry[]; warnings: string[] } {
  const advisories: Advisory[] = [];
  const kev: KevEntry[] = [];
  const warnings: string[] = [];
  return {
    advisories,
    kev,
    warnings,
    addAdvisory: (a) => advisories.push(a),
    addKev: (k) => kev.push(k),
    warn: (w) => warnings.push(w),
  };
}

async function load(file: string, relPath: string) {
  const sink = collector();
  await debianTrackerFeed.load(file, sink, { relPath });
  return sink;
}

function find(advisories: Advisory[], id: string, pkg: string): Advisory {
  const matches = advisories.filter((a) => a.id === id && a.affected.every((x) => x.package === pkg));
  assert.equal(matches.length, 1, `${id} ${pkg}`);
  return matches[0] as Advisory;
}

type Release = { status: string; fixed_version?: string; urgency?: string };

describe('debian-tracker feed on the corpus', () => {
  test('tracker.json: one advisory per (CVE, source package), all fixed in bookworm', async () => {
    const rel = 'debian/tracker.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.deepEqual(warnings, []);

    // The expected numbers, from a plain walk of the same JSON (README: 3,795 entries in 260 sources).
    const raw = JSON.parse(await readFile(path.join(mirror, rel), 'utf8')) as Record<string, Record<string, { releases: Record<string, Release> }>>;
    const entries = Object.values(raw).flatMap((vulns) => Object.values(vulns));
    assert.equal(Object.keys(raw).length, 260);
    assert.equal(entries.length, 3795);
    const urgencies = new Map<string, number>();
    for (const e of entries) {
      const u = e.releases.bookworm?.urgency ?? '';
      urgencies.set(u, (urgencies.get(u) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(urgencies), { medium: 2218, high: 1537, low: 40 });

    assert.equal(advisories.length, 3795);
    assert.ok(advisories.every((a) => a.source === 'debian-tracker' && a.aliases.length === 0 && a.affected.length === 1));
    assert.ok(advisories.every((a) => a.affected[0]?.distro === 'debian:12' && a.affected[0].status === 'fixed'));
    const count = (s: string) => advisories.filter((a) => a.affected[0]?.vendorSeverity === s).length;
    assert.deepEqual([count('MEDIUM'), count('HIGH'), count('LOW')], [2218, 1537, 40]);

    const sevenZip = find(advisories, 'CVE-2023-31102', '7zip');
    assert.deepEqual(sevenZip, {
      id: 'CVE-2023-31102',
      aliases: [],
      source: 'debian-tracker',
      summary: 'CVE-2023-31102: Ppmd7.c allows an integer underflow and invalid read operation via a crafted 7Z archive.',
      affected: [
        {
          ecosystem: 'deb',
          distro: 'debian:12',
          package: '7zip',
          status: 'fixed',
          fixedVersion: '22.01+really25.01+dfsg-0+deb12u1',
          vendorSeverity: 'HIGH',
        },
      ],
    });
    assert.ok(advisories.every((a) => a.summary === undefined || (a.summary.length <= 300 && !a.summary.includes('\n'))));
  });

  test('vunnel sample: resolved/"0"/open, starred and end-of-life urgencies, releases: []', async () => {
    const rel = 'debian/tracker-json-samples/vunnel-fixture-debian.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 7);

    assert.deepEqual(advisories.find((a) => a.id === 'CVE-2022-0358'), {
      id: 'CVE-2022-0358',
      aliases: [],
      source: 'debian-tracker',
      affected: [],
    });
    const chromium = find(advisories, 'CVE-2022-0456', 'chromium');
    assert.equal(chromium.summary, undefined);
    assert.deepEqual(
      chromium.affected.map((x) => [x.distro, x.status, x.fixedVersion, x.vendorSeverity]),
      [
        ['debian:12', 'fixed', '98.0.4758.80-1', undefined],
        ['debian:11', 'fixed', '98.0.4758.80-1~deb11u1', undefined],
        ['debian:10', 'unfixed', undefined, undefined], // open, end-of-life
        ['debian:sid', 'fixed', '98.0.4758.80-1', undefined],
        ['debian:9', 'unfixed', undefined, undefined],
      ],
    );
    const prototype = find(advisories, 'CVE-2008-7220', 'prototypejs');
    assert.ok(prototype.affected.every((x) => x.vendorSeverity === 'HIGH' && x.status === 'fixed')); // "high**"
    const notAffected = find(advisories, 'CVE-2007-2383', 'prototypejs');
    assert.deepEqual(
      notAffected.affected.map((x) => [x.distro, x.status, x.fixedVersion, x.vendorSeverity]),
      [
        ['debian:9', 'not_affected', undefined, 'NEGLIGIBLE'],
        ['debian:8', 'not_affected', undefined, 'NEGLIGIBLE'],
        ['debian:10', 'not_affected', undefined, 'NEGLIGIBLE'],
        ['debian:sid', 'not_affected', undefined, 'NEGLIGIBLE'],
      ],
    );
    assert.ok(find(advisories, 'CVE-2013-1444', 'txt2man').affected.every((x) => x.vendorSeverity === 'LOW')); // "low**"
  });

  test('osv.dev sample: open in bookworm, fixed in trixie', async () => {
    const rel = 'debian/tracker-json-samples/osvdev-fixture-debian_security_tracker.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      advisories.map((a) => a.id),
      ['CVE-2014-1424', 'CVE-2016-1585', 'CVE-2017-6507'],
    );
    const mount = find(advisories, 'CVE-2016-1585', 'apparmor');
    assert.deepEqual(
      mount.affected.map((x) => [x.distro, x.status, x.fixedVersion]),
      [
        ['debian:12', 'unfixed', undefined],
        ['debian:11', 'unfixed', undefined],
        ['debian:10', 'unfixed', undefined],
        ['debian:sid', 'fixed', '3.0.12-1'],
        ['debian:13', 'fixed', '3.0.12-1'],
      ],
    );
    assert.ok(mount.affected.every((x) => x.vendorSeverity === 'NEGLIGIBLE'));
    // The long description is cut to one line of at most 300 characters.
    const summary = find(advisories, 'CVE-2017-6507', 'apparmor').summary ?? '';
    assert.equal(summary.length, 300);
    assert.ok(summary.startsWith('An issue was discovered in AppArmor before 2.12.'));
  });
});

describe('debianDistro', () => {
  test('codename to debian:<major>, unnumbered ones kept', () => {
    assert.equal(debianDistro('bookworm'), 'debian:12');
    assert.equal(debianDistro('trixie'), 'debian:13');
    assert.equal(debianDistro('sid'), 'debian:sid');
  });
});

describe('debian-tracker feed on fixtures', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cavas-tracker-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadText(name: string, text: string) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return load(file, `debian/${name}`);
  }

  async function rejects(name: string, text: string, pattern: RegExp) {
    await assert.rejects(loadText(name, text), (e: unknown) => {
      assert.ok(e instanceof CavasError, String(e));
      assert.equal(e.code, 'BAD_FEED');
      assert.ok(e.message.startsWith(`debian/${name}: `), e.message);
      assert.doesNotMatch(e.message, /\n/);
      assert.match(e.message, pattern);
      return true;
    });
  }

  test('unknown statuses and urgencies: one warning per kind, unknown status skipped', async () => {
    const doc = {
      foo: {
        'CVE-2099-0001': {
          description: 'line one\nline two',
          releases: {
            bookworm: { status: 'postponed', urgency: 'low' },
            trixie: { status: 'resolved', fixed_version: '1.0-1', urgency: 'severe' },
            forky: { status: 'undetermined', urgency: 'low*' },
          },
        },
        'TEMP-0000000-ABCDEF': { releases: { bookworm: { status: 'postponed', urgency: 'severe' } } },
        'CVE-2099-0002': { releases: {} },
      },
    };
    const { advisories, warnings } = await loadText('odd.json', JSON.stringify(doc));
    assert.deepEqual(
      advisories.map((a) => [a.id, a.summary, a.affected.map((x) => [x.distro, x.status, x.fixedVersion, x.vendorSeverity])]),
      [
        [
          'CVE-2099-0001',
          'line one line two',
          [
            ['debian:13', 'fixed', '1.0-1', undefined],
            ['debian:14', 'unfixed', undefined, 'LOW'],
          ],
        ],
        ['TEMP-0000000-ABCDEF', undefined, []],
        ['CVE-2099-0002', undefined, []],
      ],
    );
    assert.deepEqual(warnings, [
      'debian/odd.json: skipped releases with an unknown status: postponed (2)',
      'debian/odd.json: unknown urgencies (kept as UNKNOWN): severe (2)',
    ]);
  });

  test('bad input is BAD_FEED', async () => {
    await rejects('truncated.json', '{"openssl": {"CVE-2023-0001": {"releases": {"bookworm": {"status": "reso', /not valid JSON/);
    await rejects('array.json', '[{"openssl": {}}]', /top level is not an object/);
    await rejects('string.json', '"tracker"', /top level is not an object/);
    await rejects('pkg.json', '{"openssl": ["CVE-2023-0001"]}', /source package openssl: value is not an object/);
    await rejects('entry.json', '{"openssl": {"CVE-2023-0001": "open"}}', /openssl CVE-2023-0001: entry is not an object/);
    await rejects('releases.json', '{"openssl": {"CVE-2023-0001": {"releases": "bookworm"}}}', /"releases" is not an object/);
    await rejects('release.json', '{"openssl": {"CVE-2023-0001": {"releases": {"bookworm": "open"}}}}', /release bookworm is not an object/);
  });

  test('a file over the JSON size limit is refused without reading it', async () => {
    const file = path.join(dir, 'huge.json');
    const fh = await open(file, 'w');
    await fh.truncate(MAX_JSON_FEED_BYTES + 1); // sparse: no disk space used
    await fh.close();
    await assert.rejects(load(file, 'debian/tracker.json'), (e: unknown) => {
      assert.ok(e instanceof CavasError);
      assert.equal(e.code, 'BAD_FEED');
      assert.match(e.message, /^debian\/tracker\.json: file is 536870913 bytes, over the 536870912-byte limit/);
      return true;
    });
  });

  test('a missing file is an IO error naming the mirror path', async () => {
    await assert.rejects(load(path.join(dir, 'nope.json'), 'debian/tracker.json'), (e: unknown) => {
      assert.ok(e instanceof CavasError);
      assert.equal(e.code, 'IO');
      assert.match(e.message, /^debian\/tracker\.json: cannot read feed file/);
      return true;
    });
  });
});
