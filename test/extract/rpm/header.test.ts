import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_DATA_LENGTH, parseRpmHeader, RPM_TYPE, RPMTAG, type RawHeader } from '../../../src/extract/rpm/header.js';
import { evr, parseSourceRpm, recordFromHeader } from '../../../src/extract/rpm/rpmdb.js';
import { CavasError } from '../../../src/util/errors.js';
import { headersOf, NODEJS, OPENSSL, RpmWorkshop, sqlitePath } from './fixtures.js';

interface Entry {
  tag: number;
  type: number;
  data: Buffer;
  count?: number;
  /** Override the computed offset (to break things). */
  offset?: number;
}

const ALIGN: Record<number, number> = { [RPM_TYPE.INT16]: 2, [RPM_TYPE.INT32]: 4, [RPM_TYPE.INT64]: 8 };

/** A header blob as rpm stores it: il, dl, index entries, data (entries aligned as rpm aligns them). */
function header(entries: Entry[], opts: { il?: number; dl?: number } = {}): Buffer {
  const index = Buffer.alloc(entries.length * 16);
  const chunks: Buffer[] = [];
  let dl = 0;
  entries.forEach((e, i) => {
    const align = ALIGN[e.type] ?? 1;
    const pad = (align - (dl % align)) % align;
    if (pad) chunks.push(Buffer.alloc(pad));
    dl += pad;
    index.writeUInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeInt32BE(e.offset ?? dl, i * 16 + 8);
    index.writeUInt32BE(e.count ?? 1, i * 16 + 12);
    chunks.push(e.data);
    dl += e.data.length;
  });
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(opts.il ?? entries.length, 0);
  pre.writeUInt32BE(opts.dl ?? dl, 4);
  return Buffer.concat([pre, index, ...chunks]);
}

const str = (s: string): Buffer => Buffer.from(`${s}\0`);
const strs = (...s: string[]): Buffer => Buffer.concat(s.map(str));
const int32 = (...n: number[]): Buffer => {
  const b = Buffer.alloc(4 * n.length);
  n.forEach((v, i) => b.writeUInt32BE(v, 4 * i));
  return b;
};
const S = (tag: number, s: string): Entry => ({ tag, type: RPM_TYPE.STRING, data: str(s) });

function basic(extra: Entry[] = []): Entry[] {
  return [S(RPMTAG.NAME, 'openssl-libs'), S(RPMTAG.VERSION, '3.0.7'), S(RPMTAG.RELEASE, '6.el9_2'), { tag: RPMTAG.EPOCH, type: RPM_TYPE.INT32, data: int32(1) }, ...extra];
}

function assertBad(fn: () => unknown, detail: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CavasError, `not a CavasError: ${String(e)}`);
    assert.equal(e.code, 'BAD_PACKAGE_DB');
    assert.ok(e.message.startsWith('db: header 7: '), e.message);
    assert.doesNotMatch(e.message, /[\r\n]/);
    assert.match(e.message, detail);
    return true;
  });
}
const WHERE = 'db: header 7';

describe('parseRpmHeader: hand-built headers', () => {
  test('every tag type decodes', () => {
    const int16 = Buffer.alloc(4);
    int16.writeUInt16BE(7, 0);
    int16.writeUInt16BE(65535, 2);
    const int64 = Buffer.alloc(8);
    int64.writeBigUInt64BE(2n ** 40n);
    const h = parseRpmHeader(
      header([
        { tag: 100, type: RPM_TYPE.CHAR, data: Buffer.from('ab'), count: 2 },
        { tag: 101, type: RPM_TYPE.INT16, data: int16, count: 2 },
        { tag: 102, type: RPM_TYPE.INT32, data: int32(0, 0xffffffff, 42), count: 3 },
        { tag: 103, type: RPM_TYPE.INT64, data: int64 },
        S(104, 'héllo'),
        { tag: 105, type: RPM_TYPE.BIN, data: Buffer.from([0, 1, 2, 255]), count: 4 },
        { tag: 106, type: RPM_TYPE.STRING_ARRAY, data: strs('a', '', 'c'), count: 3 },
        { tag: 107, type: RPM_TYPE.I18NSTRING, data: strs('Summary', 'Zusammenfassung'), count: 2 },
      ]),
      WHERE,
    );
    assert.deepEqual(h.get(100), Buffer.from('ab'));
    assert.deepEqual(h.get(101), [7, 65535]);
    assert.deepEqual(h.get(102), [0, 0xffffffff, 42]);
    assert.deepEqual(h.get(103), [2n ** 40n]);
    assert.equal(h.get(104), 'héllo');
    assert.deepEqual(h.get(105), Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(h.get(106), ['a', '', 'c']);
    assert.deepEqual(h.get(107), ['Summary', 'Zusammenfassung']);
  });

  test('a region tag first is skipped; a later entry for the same tag wins (rpm dribble entries)', () => {
    const trailer = Buffer.alloc(16);
    const h = parseRpmHeader(
      header([
        { tag: 63, type: RPM_TYPE.BIN, data: trailer, count: 16, offset: 4 },
        S(RPMTAG.NAME, 'old'),
        S(RPMTAG.NAME, 'new'),
      ]),
      WHERE,
    );
    assert.equal(h.has(63), false);
    assert.equal(h.get(RPMTAG.NAME), 'new');
  });

  const malformed: Array<[string, () => Buffer, RegExp]> = [
    ['shorter than the preamble', () => Buffer.from([0, 0, 0]), /3 bytes, shorter than its 8-byte preamble/],
    ['no index entries', () => header([], { il: 0 }), /no index entries/],
    ['an index count over 65535', () => header(basic(), { il: 0x10000 }), /65536 index entries, over rpm's limit of 65535/],
    ['a 4 GiB index count', () => header(basic(), { il: 0xffffffff }), /4294967295 index entries/],
    ['a data length over rpm\'s limit', () => header(basic(), { dl: MAX_DATA_LENGTH + 1 }), /over rpm's limit/],
    ['a data length past the end', () => header(basic(), { dl: 5000 }), /truncated: 4 index entries and 5000 data bytes need 5072 bytes/],
    ['an unknown type', () => header([{ tag: 1000, type: 10, data: str('x') }]), /tag 1000\) has unknown type 10/],
    ['an offset past the data', () => header([{ ...S(1000, 'x'), offset: 2 }]), /offset 2 is outside the 2 data bytes/],
    ['a negative offset', () => header([{ ...S(1000, 'x'), offset: -16 }]), /offset -16 is outside/],
    ['a count larger than the data', () => header([{ tag: 1000, type: RPM_TYPE.STRING_ARRAY, data: strs('a'), count: 1_000_000 }]), /count 1000000 does not fit/],
    ['INT32 values past the data', () => header([{ tag: 1003, type: RPM_TYPE.INT32, data: int32(1, 2), count: 3 }]), /runs past the end of the data/],
    ['a misaligned INT32', () => header([S(1000, 'ab'), { tag: 1003, type: RPM_TYPE.INT32, data: int32(1), offset: 3 }]), /offset 3 is not aligned/],
    ['an unterminated string', () => header([{ tag: 1000, type: RPM_TYPE.STRING, data: Buffer.from('abc') }]), /string 0 is not terminated inside the data/],
    ['a string array shorter than its count', () => header([{ tag: 1000, type: RPM_TYPE.STRING_ARRAY, data: strs('a', 'b'), count: 3 }]), /string 2 is not terminated/],
    ['a STRING with count 2', () => header([{ ...S(1000, 'a'), count: 2 }]), /STRING with count 2/],
    ['entries sharing data', () => header([S(1000, 'abc'), { ...S(1001, 'x'), offset: 0 }]), /overlaps the previous entry/],
  ];
  for (const [label, make, why] of malformed) {
    test(`malformed: ${label}`, () => assertBad(() => parseRpmHeader(make(), WHERE), why));
  }

  test('65535 entries of 4 bytes each parse quickly', () => {
    const entries: Entry[] = Array.from({ length: 0xffff }, (_, i) => ({ tag: 2000 + i, type: RPM_TYPE.INT32, data: int32(i) }));
    const started = Date.now();
    const h = parseRpmHeader(header(entries), WHERE);
    assert.equal(h.size, 0xffff);
    assert.deepEqual(h.get(2000 + 0xfffe), [0xfffe]);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});

describe('recordFromHeader', () => {
  test('fields, epoch and the EVR string', () => {
    const h = parseRpmHeader(
      header(
        basic([
          S(RPMTAG.LICENSE, 'ASL 2.0'),
          S(RPMTAG.ARCH, 'x86_64'),
          S(RPMTAG.SOURCERPM, 'openssl-3.0.7-6.el9_2.src.rpm'),
        ]),
      ),
      WHERE,
    );
    const r = recordFromHeader(h, WHERE);
    assert.deepEqual(r, { name: 'openssl-libs', epoch: 1, version: '3.0.7', release: '6.el9_2', arch: 'x86_64', sourceRpm: 'openssl-3.0.7-6.el9_2.src.rpm', license: 'ASL 2.0' });
    assert.equal(evr(r!), '1:3.0.7-6.el9_2');
    assert.equal(evr({ epoch: 0, version: '1', release: '2' }), '1-2');
    assert.equal(evr({ version: '1', release: '2' }), '1-2');
  });

  test('gpg-pubkey entries are no packages', () => {
    const h = parseRpmHeader(header([S(RPMTAG.NAME, 'gpg-pubkey'), S(RPMTAG.VERSION, '8783d481'), S(RPMTAG.RELEASE, '63ceb953')]), WHERE);
    assert.equal(recordFromHeader(h, WHERE), undefined);
  });

  test('missing or hostile required fields', () => {
    assertBad(() => recordFromHeader(parseRpmHeader(header([S(RPMTAG.VERSION, '1'), S(RPMTAG.RELEASE, '1')]), WHERE), WHERE), /no NAME$/);
    assertBad(() => recordFromHeader(parseRpmHeader(header([S(RPMTAG.NAME, 'x'), S(RPMTAG.RELEASE, '1')]), WHERE), WHERE), /no VERSION$/);
    assertBad(
      () => recordFromHeader(parseRpmHeader(header([S(RPMTAG.NAME, 'evil\u001b[2J'), S(RPMTAG.VERSION, '1'), S(RPMTAG.RELEASE, '1')]), WHERE), WHERE),
      /NAME contains control characters/,
    );
  });
});

describe('parseSourceRpm', () => {
  test('name, version and release from the file name', () => {
    assert.deepEqual(parseSourceRpm('openssl-3.0.7-6.el9_2.src.rpm'), { name: 'openssl', version: '3.0.7', release: '6.el9_2' });
    assert.deepEqual(parseSourceRpm('python-setuptools-53.0.0-12.el9.src.rpm'), { name: 'python-setuptools', version: '53.0.0', release: '12.el9' });
    assert.deepEqual(parseSourceRpm('nodejs-18.12.1-1.module_el9.1.0+16+91bc168f.src.rpm'), { name: 'nodejs', version: '18.12.1', release: '1.module_el9.1.0+16+91bc168f' });
    assert.deepEqual(parseSourceRpm('foo-1-2.nosrc.rpm'), { name: 'foo', version: '1', release: '2' });
    for (const bad of ['foo-1.src.rpm', '-1-2.src.rpm', 'foo-1-.src.rpm', 'foo--2.src.rpm', 'foo-1-2.rpm', '(none)']) assert.equal(parseSourceRpm(bad), undefined, bad);
  });

  test('a long hostile name is handled in linear time', () => {
    const started = Date.now();
    assert.equal(parseSourceRpm('-'.repeat(2_000_000) + '.src.rpm'), undefined);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('headers written by rpm 4.18', () => {
  let tmp = '';
  let headers: RawHeader[] = [];
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-rpmhdr-'));
    const w = new RpmWorkshop(tmp);
    const root = path.join(tmp, 'root');
    w.install(root, [...w.build(OPENSSL), ...w.build(NODEJS)]);
    headers = headersOf(sqlitePath(root));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('parse, with the modularity label', () => {
    const records = headers.map((h) => recordFromHeader(parseRpmHeader(h.blob, WHERE), WHERE));
    assert.deepEqual(
      records.map((r) => [r?.name, r && evr(r), r?.arch, r?.modularityLabel]).sort(),
      [
        ['nodejs', '1:18.12.1-1.module_el9.1.0+16+91bc168f', 'x86_64', 'nodejs:18:9010020221201143434:rhel9'],
        ['openssl-libs', '1:3.0.7-6.el9_2', 'x86_64', undefined],
      ],
    );
  });

  test('every truncation of a real header is a BAD_PACKAGE_DB, never a crash', () => {
    const blob = headers[0]!.blob;
    for (let n = 0; n < blob.length; n++) {
      assert.throws(() => parseRpmHeader(blob.subarray(0, n), WHERE), (e: unknown) => e instanceof CavasError && e.code === 'BAD_PACKAGE_DB', `prefix ${n}`);
    }
  });

  test('flipped bytes give a header or a BAD_PACKAGE_DB, nothing else', () => {
    const blob = headers[1]!.blob;
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(blob);
      for (let k = 0; k < 3; k++) b[rand(Math.min(b.length, 8 + 16 * 40))] = rand(256);
      try {
        const h = parseRpmHeader(b, WHERE);
        recordFromHeader(h, WHERE);
      } catch (e) {
        assert.ok(e instanceof CavasError && e.code === 'BAD_PACKAGE_DB', String(e));
        rejected++;
      }
    }
    assert.ok(rejected > 0);
  });
});
