/**
 * The three rpmdb backends, read back and compared with what rpm itself lists
 * (sqlite, and Berkeley DB through rpm's bdb_ro); ndb is compared with the same
 * headers read from sqlite, since no ndb-capable rpm is available (see fixtures.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readBdbHash } from '../../../src/extract/rpm/bdb.js';
import type { RawHeader } from '../../../src/extract/rpm/header.js';
import { readNdb } from '../../../src/extract/rpm/ndb.js';
import { evr, readRpmdb, type RpmRecord } from '../../../src/extract/rpm/rpmdb.js';
import { CavasError } from '../../../src/util/errors.js';
import { adler32, BASH, bdbFile, CURL, CURL_OLD, headersOf, ndbFile, NODEJS, OPENSSL, RpmWorkshop, sqlitePath, TZDATA } from './fixtures.js';

const SQLITE = 'var/lib/rpm/rpmdb.sqlite';
const BDB = 'var/lib/rpm/Packages';
const NDB = 'usr/lib/sysimage/rpm/Packages.db';

/** Our records in the shape of RpmWorkshop.query lines. */
function lines(records: RpmRecord[]): string[] {
  return records.map((r) => `${r.name} ${evr(r)} ${r.arch ?? '(none)'} ${r.sourceRpm ?? '(none)'} ${r.license ?? '(none)'} ${r.modularityLabel ?? '(none)'}`).sort();
}

function assertBad(fn: () => unknown, file: string, detail: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CavasError, `not a CavasError: ${String(e)}`);
    assert.equal(e.code, 'BAD_PACKAGE_DB');
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    assert.doesNotMatch(e.message, /[\r\n]/);
    assert.match(e.message, detail);
    return true;
  });
}

let tmp = '';
let w: RpmWorkshop;
let root = '';
let sqliteBytes: Buffer;
let headers: RawHeader[] = [];
let expected: string[] = [];

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-rpmdb-'));
  w = new RpmWorkshop(tmp);
  root = path.join(tmp, 'root');
  w.install(root, [...w.build(OPENSSL), ...w.build(CURL_OLD), ...w.build(BASH), ...w.build(TZDATA)]);
  w.importKey(root);
  w.install(root, [...w.build(CURL), ...w.build(NODEJS)], true);
  sqliteBytes = readFileSync(sqlitePath(root));
  headers = headersOf(sqlitePath(root));
  expected = w.query(root).filter((l) => !l.startsWith('gpg-pubkey '));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('sqlite (written by rpm 4.18)', () => {
  test('lists what rpm lists, gpg-pubkey left out', () => {
    assert.deepEqual(expected, [
      'bash 5.1.8-5.el9 x86_64 bash-5.1.8-5.el9.src.rpm GPLv3+ (none)',
      'curl 7.76.1-23.el9 x86_64 curl-7.76.1-23.el9.src.rpm MIT (none)',
      'libcurl 7.76.1-23.el9 x86_64 curl-7.76.1-23.el9.src.rpm MIT (none)',
      'nodejs 1:18.12.1-1.module_el9.1.0+16+91bc168f x86_64 nodejs-18.12.1-1.module_el9.1.0+16+91bc168f.src.rpm MIT and ASL 2.0 and ISC and BSD nodejs:18:9010020221201143434:rhel9',
      'openssl-libs 1:3.0.7-6.el9_2 x86_64 openssl-3.0.7-6.el9_2.src.rpm ASL 2.0 (none)',
      'tzdata 2023c-1.el9 noarch tzdata-2023c-1.el9.src.rpm Public Domain (none)',
    ]);
    assert.equal(headers.length, expected.length + 1, 'the db also holds the gpg-pubkey header');
    const before = Buffer.from(sqliteBytes);
    assert.deepEqual(lines(readRpmdb(sqliteBytes, SQLITE)), expected);
    assert.ok(sqliteBytes.equals(before), 'the captured bytes are not modified (WAL flag patched on a copy)');
    assert.equal(sqliteBytes[18], 2, 'rpm left the db in WAL mode');
  });

  test('not SQLite, truncated, or without a Packages table', () => {
    assertBad(() => readRpmdb(Buffer.from('not a database at all, just text'.repeat(10)), SQLITE), SQLITE, /not an SQLite database/);
    assertBad(() => readRpmdb(sqliteBytes.subarray(0, 60), SQLITE), SQLITE, /not an SQLite database/);
    assertBad(() => readRpmdb(sqliteBytes.subarray(0, 8192), SQLITE), SQLITE, /SQLite cannot read it|no Packages table/);
    const other = new Database(':memory:');
    other.exec('CREATE TABLE Other (x)');
    assertBad(() => readRpmdb(other.serialize(), SQLITE), SQLITE, /no Packages table/);
    other.exec("CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob");
    assertBad(() => readRpmdb(other.serialize(), SQLITE), SQLITE, /Packages is a view, not a table/);
    other.close();
  });

  test('a bad header blob names the db and the header number', () => {
    const db = new Database(Buffer.from(sqliteBytes).fill(1, 18, 20));
    const hnum = headers[2]!.key;
    db.prepare('UPDATE Packages SET blob = ? WHERE hnum = ?').run(Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), hnum);
    const broken = db.serialize();
    db.prepare("INSERT INTO Packages (hnum, blob) VALUES (99, 'text')").run();
    const text = db.serialize();
    db.close();
    assertBad(() => readRpmdb(broken, SQLITE), SQLITE, new RegExp(`^var/lib/rpm/rpmdb\\.sqlite: header ${hnum}: header claims 4294967295 data bytes`));
    assertBad(() => readRpmdb(text, SQLITE), SQLITE, /package 99: blob is not a BLOB/);
  });
});

describe('Berkeley DB hash (written by Berkeley DB 5.3, read back by rpm bdb_ro)', () => {
  const cases: Array<[string, { pageSize?: number; bigEndian?: boolean }]> = [
    ['512-byte pages: every header in a chain of overflow pages', { pageSize: 512 }],
    ['4096-byte pages', { pageSize: 4096 }],
    ['16384-byte pages: headers on the bucket pages', { pageSize: 16384 }],
    ['big-endian (s390x, ppc64)', { pageSize: 4096, bigEndian: true }],
  ];
  for (const [label, opts] of cases) {
    test(label, () => {
      const bytes = bdbFile(tmp, headers, opts);
      const bdbRoot = path.join(tmp, `bdb-${opts.pageSize}-${opts.bigEndian ? 'be' : 'le'}`);
      mkdirSync(path.join(bdbRoot, 'var/lib/rpm'), { recursive: true });
      writeFileSync(path.join(bdbRoot, BDB), bytes);
      assert.deepEqual(w.query(bdbRoot, 'bdb_ro').filter((l) => !l.startsWith('gpg-pubkey ')), expected, 'rpm reads the fixture');
      assert.deepEqual(lines(readRpmdb(bytes, BDB)), expected);
    });
  }

  test('hundreds of records across split buckets, each read once', () => {
    const many = Array.from({ length: 700 }, (_, i) => ({ key: i + 1, blob: headers[i % headers.length]!.blob }));
    const out = readBdbHash(bdbFile(tmp, many, { pageSize: 4096 }), BDB);
    assert.deepEqual(out.map((r) => r.key).sort((a, b) => a - b), [0, ...many.map((m) => m.key)]);
    for (const r of out) if (r.key > 0) assert.ok(r.blob.equals(many[r.key - 1]!.blob));
  });

  const page = (b: Buffer, size: number, n: number): Buffer => b.subarray(n * size, (n + 1) * size);
  const pagesOfType = (b: Buffer, size: number, type: number): number[] =>
    Array.from({ length: b.length / size }, (_, n) => n).filter((n) => n > 0 && page(b, size, n)[25] === type);

  test('a cycle in an overflow chain', () => {
    const b = Buffer.from(bdbFile(tmp, headers, { pageSize: 512 }));
    const ov = pagesOfType(b, 512, 7).find((n) => page(b, 512, n).readUInt32LE(16) !== 0)!;
    page(b, 512, ov).writeUInt32LE(ov, 16);
    assertBad(() => readRpmdb(b, BDB), BDB, new RegExp(`page ${ov} is reached twice`));
  });

  test('two items sharing one overflow chain', () => {
    const b = Buffer.from(bdbFile(tmp, headers.slice(0, 2), { pageSize: 512 }));
    // the second off-page value is made to point at the first one's chain
    const offPage = pagesOfType(b, 512, 13).flatMap((n) => {
      const p = page(b, 512, n);
      return Array.from({ length: p.readUInt16LE(20) / 2 }, (_, i) => p.readUInt16LE(26 + 4 * i + 2))
        .filter((off) => p[off] === 3)
        .map((off) => p.subarray(off, off + 12));
    });
    assert.equal(offPage.length, 2);
    offPage[1]!.writeUInt32LE(offPage[0]!.readUInt32LE(4), 4);
    assertBad(() => readRpmdb(b, BDB), BDB, /is reached twice/);
  });

  test('a cycle in a bucket chain', () => {
    const b = Buffer.from(bdbFile(tmp, headers, { pageSize: 512 }));
    const hp = pagesOfType(b, 512, 13)[0]!;
    page(b, 512, hp).writeUInt32LE(hp, 16);
    assertBad(() => readRpmdb(b, BDB), BDB, /is reached twice/);
  });

  test('truncated, not Berkeley DB, a btree, a lying item count', () => {
    const b = bdbFile(tmp, headers, { pageSize: 512 });
    assertBad(() => readRpmdb(b.subarray(0, b.length - 512), BDB), BDB, /truncated: the meta page names \d+ pages of 512 bytes/);
    assertBad(() => readRpmdb(b.subarray(0, 100), BDB), BDB, /100 bytes is too short/);
    assertBad(() => readRpmdb(Buffer.alloc(4096, 7), BDB), BDB, /not a Berkeley DB hash database/);
    const btree = Buffer.from(b);
    btree.writeUInt32LE(0x00053162, 12);
    assertBad(() => readRpmdb(btree, BDB), BDB, /btree, not the hash database/);
    const lying = Buffer.from(b);
    const hp = pagesOfType(lying, 512, 13)[0]!;
    page(lying, 512, hp).writeUInt16LE(250, 20);
    assertBad(() => readRpmdb(lying, BDB), BDB, /claims 250 items, more than fit/);
  });
});

describe('ndb (hand-built after rpmpkg.c)', () => {
  test('lists the same packages as the sqlite db', () => {
    assert.deepEqual(lines(readRpmdb(ndbFile(headers), NDB)), expected);
  });

  test('several slot pages', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ key: i + 1, blob: headers[i % headers.length]!.blob }));
    const b = ndbFile(many);
    assert.equal(b.readUInt32LE(12), 3);
    assert.deepEqual(readNdb(b, NDB).map((r) => r.key), many.map((m) => m.key));
  });

  const slotOff = (i: number): number => 32 + 16 * i;

  test('damage is a BAD_PACKAGE_DB naming the file', () => {
    const good = ndbFile(headers);
    const flip = Buffer.from(good);
    flip[flip.readUInt32LE(slotOff(2) + 8) * 16 + 40]! ^= 0xff;
    assertBad(() => readRpmdb(flip, NDB), NDB, new RegExp(`package ${headers[2]!.key}: blob checksum mismatch`));

    const overlap = Buffer.from(good);
    overlap.writeUInt32LE(overlap.readUInt32LE(slotOff(0) + 8), slotOff(1) + 8);
    assertBad(() => readRpmdb(overlap, NDB), NDB, /overlaps another package's blocks/);

    const past = Buffer.from(good);
    past.writeUInt32LE(0x7fffffff, slotOff(0) + 12);
    assertBad(() => readRpmdb(past, NDB), NDB, /truncated: package 1 ends past the end of the file/);

    assertBad(() => readRpmdb(good.subarray(0, good.length - 16), NDB), NDB, /ends past the end of the file|bad blob trailer/);
    assertBad(() => readRpmdb(good.subarray(0, 4000), NDB), NDB, /slot pages do not fit/);
    assertBad(() => readRpmdb(Buffer.alloc(8192), NDB), NDB, /not an rpm ndb package database/);

    const twice = Buffer.from(good);
    twice.writeUInt32LE(1, slotOff(1) + 4);
    assertBad(() => readRpmdb(twice, NDB), NDB, /package 1 has two slots|belongs to package/);

    const noMagic = Buffer.from(good);
    noMagic.write('Xlot', slotOff(5), 'latin1');
    assertBad(() => readRpmdb(noMagic, NDB), NDB, /slot at byte 112 has no slot magic/);
  });

  test('a header that does not parse, inside a sound blob, names the package', () => {
    const bad = [...headers.slice(0, 2), { key: 9, blob: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]) }];
    assertBad(() => readRpmdb(ndbFile(bad), NDB), NDB, /^usr\/lib\/sysimage\/rpm\/Packages\.db: header 9: header has no index entries$/);
  });

  test('the fixture checksum is zlib\'s adler32', () => {
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
  });
});
