import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadOsvZip, mapOsvEcosystem, osvFeed } from '../../../src/advisory/feeds/osv.js';
import type { Advisory, AdvisorySink, KevEntry } from '../../../src/advisory/model.js';
import { oneLine } from '../../../src/advisory/feeds/feed.js';
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

async function loadCorpus(rel: string) {
  const sink = collector();
  await osvFeed.load(path.join(mirror, rel), sink, { relPath: rel });
  return sink;
}

function byId(advisories: Advisory[], id: string): Advisory {
  const a = advisories.find((x) => x.id === id);
  assert.ok(a, `advisory ${id} missing`);
  return a;
}

// --- a minimal zip writer, so fixtures (including broken and lying ones) need no tool ---
interface ZipEntrySpec {
  name: string;
  data: Buffer;
  /** Size to write in the headers instead of the real one. */
  declaredSize?: number;
  /** Compression method to declare; the data is deflated only for 8 (the default). */
  method?: number;
  /** CRC-32 to write instead of the real one. */
  crc?: number;
  /** General purpose bit flags (bit 0: encrypted). */
  flags?: number;
  /** Extra field bytes written in the local header only (readers must skip them). */
  localExtra?: Buffer;
}

function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 8;
    const compressed = method === 8 ? zlib.deflateRawSync(e.data) : e.data;
    const crc = e.crc ?? zlib.crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const extra = e.localExtra ?? Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + extra.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('osv feed on the corpus', () => {
  test('Debian:12 zip: the 17 records, with unfixed, fixed and alias cases', async () => {
    const { advisories, warnings } = await loadCorpus('osv/Debian:12/all.zip');
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 17);
    assert.equal(advisories.filter((a) => a.id.startsWith('DSA-')).length, 10);
    assert.equal(advisories.filter((a) => a.id.startsWith('DEBIAN-CVE-')).length, 7);

    const apt = byId(advisories, 'DEBIAN-CVE-2011-3374');
    assert.deepEqual(apt.aliases, ['CVE-2011-3374']);
    const apt12 = apt.affected.find((x) => x.distro === 'debian:12');
    assert.ok(apt12);
    assert.equal(apt12.ecosystem, 'deb');
    assert.equal(apt12.package, 'apt');
    assert.equal(apt12.status, 'unfixed');
    assert.equal(apt12.fixedVersion, undefined);
    assert.deepEqual(apt12.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
    assert.equal(apt12.versions?.length, 89); // counted with python's zipfile + json
    assert.equal(apt12.vendorSeverity, 'NEGLIGIBLE'); // urgency "unimportant"
    assert.equal(apt.cvssVector, 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N');
    assert.equal(apt.cvssScore, 3.7);
    assert.equal(apt.severity, 'LOW');

    const glibc = byId(advisories, 'DSA-5514-1');
    assert.deepEqual(glibc.aliases, ['CVE-2023-4911', 'DEBIAN-CVE-2023-4911']);
    assert.equal(glibc.summary, 'glibc - security update');
    assert.equal(glibc.severity, undefined);
    assert.deepEqual(
      glibc.affected.map((x) => [x.distro, x.package, x.status, x.fixedVersion]),
      [
        ['debian:11', 'glibc', 'fixed', '2.31-13+deb11u7'],
        ['debian:12', 'glibc', 'fixed', '2.36-9+deb12u3'],
      ],
    );
    assert.deepEqual(glibc.affected[1]?.versions, ['2.36-9', '2.36-9+deb12u1', '2.36-9+deb12u2']);

    // zlib is open in bookworm while its minizip binary source got a fix.
    const zlibAdv = byId(advisories, 'DEBIAN-CVE-2023-45853');
    const bookworm = zlibAdv.affected.filter((x) => x.distro === 'debian:12');
    assert.deepEqual(
      bookworm.map((x) => [x.package, x.status, x.fixedVersion]),
      [
        ['minizip', 'fixed', '1.1-8+deb12u1'],
        ['zlib', 'unfixed', undefined],
      ],
    );
    // 'not yet assigned' carries no severity, so it is not set.
    assert.ok(zlibAdv.affected.every((x) => x.vendorSeverity === undefined));
  });

  test('Debian zip: DEBIAN-CVE-2024-3094 has no bookworm entry; records are the same from every zip', async () => {
    const { advisories, warnings } = await loadCorpus('osv/Debian/all.zip');
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 18);
    const xz = byId(advisories, 'DEBIAN-CVE-2024-3094');
    assert.deepEqual(
      xz.affected.map((x) => [x.distro, x.package, x.status, x.fixedVersion]),
      [
        ['debian:13', 'xz-utils', 'fixed', '5.6.1+really5.4.5-1'],
        ['debian:14', 'xz-utils', 'fixed', '5.6.1+really5.4.5-1'],
      ],
    );
    assert.equal(xz.cvssScore, 10);
    assert.equal(xz.severity, 'CRITICAL');
    const from12 = (await loadCorpus('osv/Debian:12/all.zip')).advisories;
    assert.deepEqual(byId(from12, 'DSA-5514-1'), byId(advisories, 'DSA-5514-1'));
  });

  test('Go zip: all 4291 records, withdrawn ones marked, 0001-01-01 dates kept', async () => {
    const { advisories, warnings } = await loadCorpus('osv/Go/all.zip');
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 4291);
    assert.equal(advisories.filter((a) => a.withdrawn !== undefined).length, 17);
    assert.ok(advisories.every((a) => a.affected.every((x) => x.ecosystem === 'go' && x.distro === '')));
    assert.ok(advisories.every((a) => a.modified === '0001-01-01T00:00:00Z'));
    assert.ok(advisories.some((a) => a.id === 'GO-2026-6249'));
  });

  test('Go zip: timers keep running while the zip is read (downloads overlap parsing)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await loadCorpus('osv/Go/all.zip');
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 5, `${ticks} timer ticks`);
  });

  test('PyPI zip: GIT-only entries are dropped with one warning; future dates kept', async () => {
    const { advisories, warnings } = await loadCorpus('osv/PyPI/all.zip');
    // 7082 records; 20 have only GIT ranges and no versions (counted with python).
    assert.equal(advisories.length, 7062);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^osv\/PyPI\/all\.zip: .*GIT ranges only.*PyPI \(20\)$/);
    assert.ok(advisories.every((a) => a.affected.every((x) => (x.ranges ?? []).every((r) => r.type !== 'GIT'))));
    assert.equal(advisories.filter((a) => a.cvssVector !== undefined).length, 4272);
    assert.equal(advisories.filter((a) => a.withdrawn !== undefined).length, 260);
    assert.equal(byId(advisories, 'PYSEC-2024-115').modified?.slice(0, 10), '2027-07-09');
  });

  test('npm / Maven / RubyGems / NuGet: GHSA records, CVSS v4 preferred over v3', async () => {
    for (const [rel, count] of [
      ['osv/npm/all.zip', 18],
      ['osv/Maven/all.zip', 10],
      ['osv/RubyGems/all.zip', 3],
      ['osv/NuGet/all.zip', 2],
    ] as const) {
      const { advisories, warnings } = await loadCorpus(rel);
      assert.deepEqual(warnings, [], rel);
      assert.equal(advisories.length, count, rel);
    }
    const { advisories } = await loadCorpus('osv/Maven/all.zip');
    const protobuf = byId(advisories, 'GHSA-735f-pc8j-v9w8');
    assert.equal(protobuf.cvssVector, 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N');
    assert.equal(protobuf.cvssScore, 8.7);
    assert.deepEqual(protobuf.aliases, ['CVE-2024-7254']);
    assert.deepEqual(
      [...new Set(protobuf.affected.map((x) => x.ecosystem))].sort(),
      ['gem', 'maven'],
    );
    const spring = byId(advisories, 'GHSA-36p3-wjmg-h94x');
    assert.equal(spring.cvssScore, 9.8); // the vector carries E:H; base score is NVD's 9.8
    // Two ranges for one package: the simple one gets fixedVersion, the other only keeps ranges.
    const beans = spring.affected.filter((x) => x.package === 'org.springframework:spring-beans');
    assert.deepEqual(
      beans.map((x) => [x.status, x.fixedVersion, x.ranges?.[0]?.events]),
      [
        ['fixed', '5.2.20.RELEASE', [{ introduced: '0' }, { fixed: '5.2.20.RELEASE' }]],
        ['fixed', undefined, [{ introduced: '5.3.0' }, { fixed: '5.3.18' }]],
      ],
    );
  });

  test('AlmaLinux:9 zip: rpm entries per release', async () => {
    const { advisories, warnings } = await loadCorpus('osv/AlmaLinux:9/all.zip');
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 1783);
    const distros = new Set(advisories.flatMap((a) => a.affected.map((x) => `${x.ecosystem} ${x.distro}`)));
    assert.deepEqual([...distros].sort(), ['rpm almalinux:10', 'rpm almalinux:8', 'rpm almalinux:9']);
  });

  test('crates.io zip: 1206 records, 13 withdrawn, SEMVER ranges kept', async () => {
    const { advisories, warnings } = await loadCorpus('osv/crates.io/all.zip');
    assert.deepEqual(warnings, []);
    assert.equal(advisories.length, 1206);
    assert.equal(advisories.filter((a) => a.withdrawn !== undefined).length, 13);
    assert.ok(advisories.every((a) => a.affected.every((x) => x.ecosystem === 'cargo' && x.ranges?.[0]?.type === 'SEMVER')));
  });

  test('unsupported ecosystems: nothing emitted, one aggregated warning per file', async () => {
    for (const [rel, eco, n] of [
      ['osv/Bitnami/all.zip', 'Bitnami', 7444],
      ['osv/Hackage/all.zip', 'Hackage', 41],
      ['osv/CRAN/all.zip', 'CRAN', 14],
    ] as const) {
      const { advisories, warnings } = await loadCorpus(rel);
      assert.equal(advisories.length, 0, rel);
      assert.deepEqual(warnings, [`${rel}: skipped affected entries in OSV ecosystems cavas does not support: ${eco} (${n})`]);
    }
  });
});

describe('osv ecosystem mapping', () => {
  const cases: Array<[string, unknown]> = [
    ['Debian:12', { kind: 'ok', ecosystem: 'deb', distro: 'debian:12' }],
    ['Alpine:v3.16', { kind: 'ok', ecosystem: 'apk', distro: 'alpine:v3.16' }],
    ['AlmaLinux:9', { kind: 'ok', ecosystem: 'rpm', distro: 'almalinux:9' }],
    ['Rocky Linux:9', { kind: 'ok', ecosystem: 'rpm', distro: 'rocky:9' }],
    ['Red Hat:enterprise_linux:9::appstream', { kind: 'ok', ecosystem: 'rpm', distro: 'rhel:9' }],
    ['Red Hat:rhel_eus:8.6::baseos', { kind: 'ok', ecosystem: 'rpm', distro: 'rhel:8' }],
    ['Red Hat:openshift:4.14::el9', { kind: 'unsupported', name: 'Red Hat:openshift' }],
    ['Debian', { kind: 'no-release' }],
    ['npm', { kind: 'ok', ecosystem: 'npm', distro: '' }],
    ['PyPI', { kind: 'ok', ecosystem: 'pypi', distro: '' }],
    ['Maven', { kind: 'ok', ecosystem: 'maven', distro: '' }],
    ['Go', { kind: 'ok', ecosystem: 'go', distro: '' }],
    ['RubyGems', { kind: 'ok', ecosystem: 'gem', distro: '' }],
    ['NuGet', { kind: 'ok', ecosystem: 'nuget', distro: '' }],
    ['Packagist', { kind: 'ok', ecosystem: 'composer', distro: '' }],
    ['crates.io', { kind: 'ok', ecosystem: 'cargo', distro: '' }],
    ['Bitnami', { kind: 'unsupported', name: 'Bitnami' }],
    ['Ubuntu:22.04:LTS', { kind: 'unsupported', name: 'Ubuntu' }],
  ];
  for (const [eco, expected] of cases) {
    test(eco, () => assert.deepEqual(mapOsvEcosystem(eco), expected));
  }
});

describe('osv feed on fixtures', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cavas-osv-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(name: string, bytes: Buffer, limits?: { maxEntryBytes: number; maxTotalBytes: number }) {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    const sink = collector();
    await loadOsvZip(file, sink, { relPath: `osv/${name}` }, limits);
    return sink;
  }

  async function rejects(name: string, bytes: Buffer, pattern: RegExp, limits?: { maxEntryBytes: number; maxTotalBytes: number }) {
    await assert.rejects(load(name, bytes, limits), (e: unknown) => {
      assert.ok(e instanceof CavasError, String(e));
      assert.equal(e.code, 'BAD_FEED');
      assert.ok(e.message.startsWith(`osv/${name}: `), e.message);
      assert.doesNotMatch(e.message, /\n/);
      assert.match(e.message, pattern);
      return true;
    });
  }

  const record = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
    ...extra,
  });

  test('mixed ecosystems, GHSA severity words, last_affected, own id removed from aliases', async () => {
    const zip = buildZip([
      {
        name: 'GHSA-aaaa-bbbb-cccc.json',
        data: json({
          id: 'GHSA-aaaa-bbbb-cccc',
          aliases: ['CVE-2099-0001', 'GHSA-aaaa-bbbb-cccc'],
          upstream: ['CVE-2099-0001', 'CVE-2099-0002'],
          details: '  First line\nsecond   line  ',
          database_specific: { severity: 'MODERATE' },
          affected: [
            { package: { ecosystem: 'Alpine:v3.16', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.35.0-r17' }] }] },
            { package: { ecosystem: 'Debian', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
            { package: { ecosystem: 'Hex', name: 'plug' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
            { package: { ecosystem: 'Hex', name: 'phoenix' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
            { package: { ecosystem: 'Pub', name: 'http' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
            {
              package: { ecosystem: 'Packagist', name: 'laravel/framework' },
              ranges: [
                { type: 'GIT', repo: 'https://example.invalid/x.git', events: [{ introduced: 'abc' }, { fixed: 'def' }] },
                { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.1.0' }] },
              ],
            },
          ],
        }),
      },
      { name: 'sub/', data: Buffer.alloc(0) },
      { name: 'HEX-only.json', data: json({ id: 'HEX-1', affected: [{ package: { ecosystem: 'Hex', name: 'x' }, versions: ['1'] }] }) },
      { name: 'EMPTY-1.json', data: json({ id: 'EMPTY-1', withdrawn: '2024-01-01T00:00:00Z', modified: '2027-01-01T00:00:00Z' }) },
    ]);
    const { advisories, warnings } = await load('mixed.zip', zip);
    assert.deepEqual(
      advisories.map((a) => a.id),
      ['GHSA-aaaa-bbbb-cccc', 'EMPTY-1'],
    );
    const [ghsa, empty] = advisories;
    assert.ok(ghsa && empty);
    assert.deepEqual(ghsa.aliases, ['CVE-2099-0001', 'CVE-2099-0002']);
    assert.equal(ghsa.summary, 'First line second line');
    assert.equal(ghsa.severity, 'MEDIUM');
    assert.equal(ghsa.cvssVector, undefined);
    assert.deepEqual(ghsa.affected, [
      {
        ecosystem: 'apk',
        distro: 'alpine:v3.16',
        package: 'busybox',
        status: 'unfixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.35.0-r17' }] }],
      },
      {
        ecosystem: 'composer',
        distro: '',
        package: 'laravel/framework',
        status: 'fixed',
        fixedVersion: '9.1.0',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.1.0' }] }],
      },
    ]);
    assert.deepEqual(empty, {
      id: 'EMPTY-1',
      aliases: [],
      source: 'osv',
      affected: [],
      withdrawn: '2024-01-01T00:00:00Z',
      modified: '2027-01-01T00:00:00Z',
    });
    assert.deepEqual(warnings, [
      'osv/mixed.zip: skipped affected entries in OSV ecosystems cavas does not support: Hex (3), Pub (1)',
    ]);
  });

  test('an unparsable CVSS vector falls back to the next source, with one warning', async () => {
    const zip = buildZip([
      { name: 'a.json', data: json(record('A-1', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }], database_specific: { severity: 'CRITICAL' } })) },
      { name: 'b.json', data: json(record('B-1', { severity: [{ type: 'CVSS_V3', score: 'nonsense' }] })) },
    ]);
    const { advisories, warnings } = await load('badvector.zip', zip);
    assert.deepEqual(
      advisories.map((a) => [a.id, a.severity, a.cvssVector]),
      [
        ['A-1', 'CRITICAL', undefined],
        ['B-1', undefined, undefined],
      ],
    );
    assert.deepEqual(warnings, ['osv/badvector.zip: ignored unparsable CVSS vectors: CVSS_V3 (2)']);
  });

  test('a truncated zip is BAD_FEED', async () => {
    const zip = buildZip([{ name: 'a.json', data: json(record('A-1')) }]);
    await rejects('truncated.zip', zip.subarray(0, zip.length - 10), /zip/);
    // The real Debian:12 zip cut in half.
    const real = await readFile(path.join(mirror, 'osv/Debian:12/all.zip'));
    await rejects('half.zip', real.subarray(0, real.length >> 1), /zip/);
  });

  test('a file that is not a zip is BAD_FEED', async () => {
    await rejects('notzip.zip', json([record('A-1')]), /not a readable zip archive/);
    await rejects('empty.zip', Buffer.alloc(0), /not a readable zip archive/);
  });

  test('an entry that is not JSON is BAD_FEED naming the entry', async () => {
    const zip = buildZip([
      { name: 'good.json', data: json(record('A-1')) },
      { name: 'bad.json', data: Buffer.from('{"id": "B-1", "affected": [') },
    ]);
    await rejects('badentry.zip', zip, /zip entry bad\.json is not valid JSON/);
  });

  test('wrong shapes are BAD_FEED', async () => {
    await rejects('array.zip', buildZip([{ name: 'x.json', data: json([record('A-1')]) }]), /x\.json: not an OSV record/);
    await rejects('noid.zip', buildZip([{ name: 'x.json', data: json({ affected: [] }) }]), /x\.json: OSV record has no "id"/);
    await rejects('affobj.zip', buildZip([{ name: 'x.json', data: json({ id: 'X-1', affected: {} }) }]), /X-1: "affected" is not an array/);
    await rejects(
      'ranges.zip',
      buildZip([{ name: 'x.json', data: json({ id: 'X-1', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER' }] }] }) }]),
      /X-1 \(npm a\): a range has no "events" array/,
    );
  });

  test('an entry over 16 MiB uncompressed is refused before it is inflated', async () => {
    // 17 MiB of zeros deflates to ~17 KB: a classic bomb entry.
    const zip = buildZip([
      { name: 'a.json', data: json(record('A-1')) },
      { name: 'bomb.json', data: Buffer.alloc(17 * 1024 * 1024) },
    ]);
    assert.ok(zip.length < 100_000);
    await rejects('bomb.zip', zip, /zip entry bomb\.json is 17825792 bytes uncompressed, over the 16777216-byte limit/);
  });

  test('an entry that inflates past its declared size is refused', async () => {
    const zip = buildZip([{ name: 'liar.json', data: Buffer.alloc(1024 * 1024, 0x20), declaredSize: 100 }]);
    await rejects('liar.zip', zip, /corrupt zip archive \(too many bytes in the stream.*\) at zip entry liar\.json$/);
  });

  test('stored entries, local extra fields and entries larger than the read window', async () => {
    // Hex noise does not deflate much, so the archive spans several 4 MiB read windows, and
    // big-stored.json is larger than one.
    const noisy = (id: string, bytes: number) => json(record(id, { details: `${id} ${randomBytes(bytes / 2).toString('hex')}` }));
    const entries: ZipEntrySpec[] = [
      { name: 'stored.json', data: noisy('S-1', 1024), method: 0 },
      { name: 'extra.json', data: noisy('E-1', 1024), localExtra: Buffer.from('UT\x05\x00\x01abcd', 'latin1') },
      { name: 'big-stored.json', data: noisy('B-1', 5 * 1024 * 1024), method: 0 },
      { name: 'big-deflated.json', data: noisy('B-2', 5 * 1024 * 1024) },
    ];
    for (let i = 0; i < 2000; i++) entries.push({ name: `n${i}.json`, data: noisy(`N-${i}`, 2048), method: i % 2 === 0 ? 0 : 8 });
    const zip = buildZip(entries);
    assert.ok(zip.length > 8 * 1024 * 1024, String(zip.length));
    const { advisories } = await load('windows.zip', zip);
    assert.equal(advisories.length, entries.length);
    for (const [i, a] of advisories.entries()) {
      const expected = JSON.parse(entries[i]?.data.toString('utf8') ?? '') as { id: string; details: string };
      assert.equal(a.id, expected.id);
      assert.equal(a.summary, oneLine(expected.details));
    }
  });

  test('undecodable entries are BAD_FEED naming the zip entry', async () => {
    const data = json(record('A-1'));
    await rejects('method.zip', buildZip([{ name: 'x.json', data, method: 12 }]), /corrupt zip archive \(unsupported compression method: 12\) at zip entry x\.json$/);
    await rejects('encrypted.zip', buildZip([{ name: 'x.json', data, flags: 1 }]), /\(entry is encrypted\) at zip entry x\.json$/);
    await rejects('crc.zip', buildZip([{ name: 'x.json', data, crc: 0x12345678 }]), /\(CRC-32 mismatch: expected 0x12345678, got 0x[0-9a-f]+\) at zip entry x\.json$/);
    await rejects('short.zip', buildZip([{ name: 'x.json', data, declaredSize: data.length + 10 }]), /\(not enough bytes in the stream.*\) at zip entry x\.json$/);
    const badHeader = buildZip([{ name: 'a.json', data }, { name: 'b.json', data }]);
    badHeader.writeUInt32LE(0xdeadbeef, 0);
    await rejects('header.zip', badHeader, /\(invalid local file header signature: 0xdeadbeef\) at zip entry a\.json$/);
    // Cut the deflate stream short while the central directory still describes it whole.
    const zip = buildZip([{ name: 'x.json', data }]);
    const nameEnd = 30 + 'x.json'.length;
    const compressedLength = zip.readUInt32LE(18);
    zip.fill(0, nameEnd + 2, nameEnd + compressedLength);
    await rejects('inflate.zip', zip, /corrupt zip archive \(.+\) at zip entry x\.json$/);
  });

  test('entry names that escape the archive are refused', async () => {
    const data = json(record('A-1'));
    await rejects('dotdot.zip', buildZip([{ name: 'a/../../evil.json', data }]), /corrupt zip archive \(invalid relative path: a\/\.\.\/\.\.\/evil\.json\)/);
    await rejects('absolute.zip', buildZip([{ name: '/etc/evil.json', data }]), /corrupt zip archive \(absolute path: \/etc\/evil\.json\)/);
  });

  test('entries adding up past the total limit stop the load', async () => {
    const big = (id: string) => json(record(id, { details: 'x'.repeat(600 * 1024) }));
    const zip = buildZip([
      { name: 'a.json', data: big('A-1') },
      { name: 'b.json', data: big('B-1') },
      { name: 'c.json', data: big('C-1') },
    ]);
    const limits = { maxEntryBytes: 1024 * 1024, maxTotalBytes: 1536 * 1024 };
    // Two entries fit; the third crosses the total.
    await rejects('total.zip', zip, /add up to more than 1572864 bytes uncompressed .*stopped at c\.json/, limits);
    const ok = await load('total-ok.zip', buildZip([{ name: 'a.json', data: big('A-1') }]), limits);
    assert.equal(ok.advisories.length, 1);
  });
});
