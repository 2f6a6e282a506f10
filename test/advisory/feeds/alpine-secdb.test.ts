import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { alpineSecdbFeed, idsFromSecfixLine } from '../../../src/advisory/feeds/alpine-secdb.js';
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
  await alpineSecdbFeed.load(file, sink, { relPath });
  return sink;
}

function find(advisories: Advisory[], id: string, pkg: string): Advisory {
  const matches = advisories.filter((a) => a.id === id && a.affected[0]?.package === pkg);
  assert.equal(matches.length, 1, `${id} ${pkg}`);
  return matches[0] as Advisory;
}

/** Lines that are exactly one well-formed CVE id, read with a plain JSON walk. */
async function plainCvePairs(rel: string): Promise<Set<string>> {
  const doc = JSON.parse(await readFile(path.join(mirror, rel), 'utf8')) as {
    packages: Array<{ pkg: { name: string; secfixes?: Record<string, string[]> } }>;
  };
  const pairs = new Set<string>();
  for (const { pkg } of doc.packages) {
    for (const lines of Object.values(pkg.secfixes ?? {})) {
      for (const line of lines) if (/^CVE-\d{4}-\d{4,}$/.test(line)) pairs.add(`${line} ${pkg.name}`);
    }
  }
  return pairs;
}

describe('alpine-secdb feed on the corpus', () => {
  test('v3.16 main: one advisory per (id, package), lowest fix, aliases from the same line', async () => {
    const rel = 'alpine-secdb/v3.16/main.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.deepEqual(warnings, []);
    // 2307 (id, package) pairs and 40 under version "0", counted with a separate python walk.
    assert.equal(advisories.length, 2307);
    const pairs = new Set(advisories.map((a) => `${a.id} ${a.affected[0]?.package}`));
    assert.equal(pairs.size, advisories.length);
    for (const p of await plainCvePairs(rel)) assert.ok(pairs.has(p), p);
    assert.equal(advisories.filter((a) => a.affected[0]?.status === 'not_affected').length, 40);
    assert.ok(
      advisories.every(
        (a) =>
          a.source === 'alpine-secdb' &&
          a.affected.length === 1 &&
          a.affected[0]?.ecosystem === 'apk' &&
          a.affected[0].distro === 'alpine:v3.16' &&
          (a.affected[0].status === 'not_affected') === (a.affected[0].fixedVersion === undefined),
      ),
    );

    // Named under 4.16.1-r4 (XSA-407), -r5 (XSA-408) and -r6 (XSA-412).
    assert.deepEqual(find(advisories, 'CVE-2022-23816', 'xen'), {
      id: 'CVE-2022-23816',
      aliases: ['XSA-407', 'XSA-408', 'XSA-412'],
      source: 'alpine-secdb',
      affected: [{ ecosystem: 'apk', distro: 'alpine:v3.16', package: 'xen', status: 'fixed', fixedVersion: '4.16.1-r4' }],
    });
    // "0": never affected.
    assert.deepEqual(find(advisories, 'CVE-2020-29568', 'xen').affected, [
      { ecosystem: 'apk', distro: 'alpine:v3.16', package: 'xen', status: 'not_affected' },
    ]);
    assert.deepEqual(find(advisories, 'CVE-2020-29568', 'xen').aliases, ['XSA-349']);
    assert.equal(find(advisories, 'CVE-2023-45853', 'zlib').affected[0]?.status, 'not_affected');
    // "CVE-2019-17349 CVE-2019-17350 XSA-295": two CVEs, each with the XSA as alias.
    assert.deepEqual(find(advisories, 'CVE-2019-17349', 'xen').aliases, ['XSA-295']);
    assert.deepEqual(find(advisories, 'CVE-2019-17350', 'xen').aliases, ['XSA-295']);
    assert.deepEqual(find(advisories, 'CVE-2020-11501', 'gnutls').aliases, ['GNUTLS-SA-2020-03-31']);
    // Ids that only ever appear next to a CVE are aliases, not advisories of their own;
    // 14 xen lines name an XSA alone (or next to a "CVE-????-?????" placeholder).
    assert.equal(advisories.filter((a) => a.id.startsWith('GNUTLS-SA-')).length, 0);
    const xsas = advisories.filter((a) => a.id.startsWith('XSA-'));
    assert.equal(xsas.length, 14);
    assert.ok(xsas.every((a) => a.affected[0]?.package === 'xen'));
    assert.ok(find(advisories, 'XSA-312', 'xen').affected[0]?.fixedVersion);
    // Listed under three versions; the lowest is kept.
    assert.equal(find(advisories, 'CVE-2018-12126', 'intel-ucode').affected[0]?.fixedVersion, '20190514a-r0');
  });

  test('edge community: lowest by version order, not by string or file order', async () => {
    const rel = 'alpine-secdb/edge/community.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 5441);
    assert.ok(advisories.every((a) => a.affected[0]?.distro === 'alpine:edge'));
    // Listed first under 103.0.5060.134-r0, then under 103.0.5060.53-r0.
    assert.equal(find(advisories, 'CVE-2022-2163', 'chromium').affected[0]?.fixedVersion, '103.0.5060.53-r0');
  });

  test('v3.21 main: a line without a usable id gives one warning', async () => {
    const rel = 'alpine-secdb/v3.21/main.json';
    const { advisories, warnings } = await load(path.join(mirror, rel), rel);
    assert.equal(advisories.length, 2525);
    assert.deepEqual(warnings, [`${rel}: ignored secfixes entries without a recognisable id: "CVE-46838" (1)`]);
  });
});

describe('idsFromSecfixLine', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['CVE-2017-3167', ['CVE-2017-3167'], []],
    ['CVE-2017-14450 TALOS-2017-0499', ['CVE-2017-14450'], ['TALOS-2017-0499']],
    ['GNUTLS-SA-2020-06-03 CVE-2020-13777', ['CVE-2020-13777'], ['GNUTLS-SA-2020-06-03']],
    ['CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI', ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754'], ['XSA-254']],
    ['XSA-123 (comment)', ['XSA-123'], []],
    ['CVE-????-????? TS-2024-005', ['TS-2024-005'], []],
    ['CVE N/A ZBX-11023', ['ZBX-11023'], []],
    ['CVE_2019-2426', ['CVE-2019-2426'], []],
    ['CVE-2017-17434-1', ['CVE-2017-17434'], []],
    ['CVE-2021-35940.patch', ['CVE-2021-35940'], []],
    ['CVE-2016-1000111', ['CVE-2016-1000111'], []],
    ['CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)', ['CVE-2018-10103'], []],
    ['CVE-2024-30156 VSV00014', ['CVE-2024-30156'], ['VSV00014']],
    ['GHSA-h5c8-rqwp-cp95', ['GHSA-h5c8-rqwp-cp95'], []],
    ['ALPINE-13661', ['ALPINE-13661'], []],
    ['wnpa-sec-2017-21', ['wnpa-sec-2017-21'], []],
    ['CVE-46838', [], []],
    ['', [], []],
  ];
  for (const [line, ids, aliases] of cases) {
    test(JSON.stringify(line), () => assert.deepEqual(idsFromSecfixLine(line), { ids, aliases }));
  }
});

describe('alpine-secdb feed on fixtures', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cavas-secdb-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadText(name: string, text: string) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return load(file, `alpine-secdb/${name}`);
  }

  async function rejects(name: string, text: string, pattern: RegExp) {
    await assert.rejects(loadText(name, text), (e: unknown) => {
      assert.ok(e instanceof CavasError, String(e));
      assert.equal(e.code, 'BAD_FEED');
      assert.ok(e.message.startsWith(`alpine-secdb/${name}: `), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }

  test('packages without secfixes and null version lists are skipped', async () => {
    const doc = {
      distroversion: 'v3.99',
      packages: [
        { pkg: { name: 'a' } },
        { pkg: { name: 'b', secfixes: { '1.0-r1': null, '1.2-r0': ['CVE-2020-0001'], '1.10-r0': ['CVE-2020-0001'] } } },
      ],
    };
    const { advisories, warnings } = await loadText('ok.json', JSON.stringify(doc));
    assert.deepEqual(warnings, []);
    assert.deepEqual(advisories, [
      {
        id: 'CVE-2020-0001',
        aliases: [],
        source: 'alpine-secdb',
        affected: [{ ecosystem: 'apk', distro: 'alpine:v3.99', package: 'b', status: 'fixed', fixedVersion: '1.2-r0' }],
      },
    ]);
  });

  test('bad input is BAD_FEED', async () => {
    await rejects('truncated.json', '{"distroversion": "v3.16", "packages": [', /not valid JSON/);
    await rejects('array.json', '[]', /top level is not an object/);
    await rejects('nobranch.json', '{"packages": []}', /no "distroversion"/);
    await rejects('nopkgs.json', '{"distroversion": "v3.16", "packages": {}}', /no "packages" array/);
    await rejects('noname.json', '{"distroversion": "v3.16", "packages": [{"pkg": {}}]}', /packages\[0\] has no "pkg.name"/);
    await rejects(
      'badfix.json',
      '{"distroversion": "v3.16", "packages": [{"pkg": {"name": "a", "secfixes": {"1-r0": "CVE-2020-1"}}}]}',
      /package a 1-r0: secfixes value is not a list/,
    );
  });
});
