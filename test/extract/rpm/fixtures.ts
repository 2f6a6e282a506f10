/**
 * Test-only: real rpm databases, made at test time in a temp dir.
 *
 * - sqlite: Debian's rpm 4.18 (`rpmbuild` + `rpm --root --justdb`) writes it, exactly as on RHEL 9.
 * - Berkeley DB: Debian's rpm cannot write BDB any more (only its bdb_ro backend reads it), so
 *   Berkeley DB 5.3 itself (`db5.3_load`, the library RHEL 7/8 use) writes a hash file holding
 *   the header blobs rpm wrote, keyed as rpm keys them; rpm's own bdb_ro then reads it back
 *   in the tests, which shows the file is what rpm expects.
 * - ndb: rpm is built without it on Debian and nothing else writes it, so `ndbFile` builds it
 *   by hand after rpm's lib/backend/ndb/rpmpkg.c (the writer in rpmpkgWriteBlob/rpmpkgWriteslot).
 *
 * Needs the Debian packages rpm and db5.3-util (CI installs them).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { deflateSync } from 'node:zlib';
import type { RawHeader } from '../../../src/extract/rpm/header.js';

export const TOOLS_HINT = 'the rpm tests need the Debian packages rpm and db5.3-util (apt-get install rpm db5.3-util)';

export function haveTools(): void {
  for (const tool of ['rpm', 'rpmbuild', 'db5.3_load']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      throw new Error(`${tool} not found: ${TOOLS_HINT}`);
    }
  }
}

/** Debian's stable release key (public): something real for `rpm --import` to turn into a gpg-pubkey entry. */
const PUBKEY = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEY865UxYJKwYBBAHaRw8BAQdAd7Z0srwuhlB6JKFkcf4HU4SSS/xcRfwEQWzr
crf6AEq0SURlYmlhbiBTdGFibGUgUmVsZWFzZSBLZXkgKDEyL2Jvb2t3b3JtKSA8
ZGViaWFuLXJlbGVhc2VAbGlzdHMuZGViaWFuLm9yZz6IlgQTFggAPhYhBE1k/sEZ
wgKQZ9bnkfjSWFuHg9SBBQJjzrlTAhsDBQkPCZwABQsJCAcCBhUKCQgLAgQWAgMB
Ah4BAheAAAoJEPjSWFuHg9SBSgwBAP9qpeO5z1s5m4D4z3TcqDo1wez6DNya27QW
WoG/4oBsAQCEN8Z00DXagPHbwrvsY2t9BCsT+PgnSn9biobwX7bDDg==
=5NZE
-----END PGP PUBLIC KEY BLOCK-----
`;

export interface SpecPackage {
  /** Spec Name: (the source package). */
  name: string;
  epoch?: number;
  version: string;
  release: string;
  license: string;
  noarch?: boolean;
  /** Binary packages to build: '' is the main package, 'libs' gives <name>-libs, '-n libcurl' gives libcurl. */
  subpackages: string[];
  modularityLabel?: string;
}

/**
 * Real AlmaLinux 9 package names at old versions that AlmaLinux:9 OSV advisories
 * fix later (ALSA-2023:3722 openssl, ALSA-2023:2650 curl, ALSA-2023:0340 bash,
 * ALSA-2023:2654 nodejs:18), plus a noarch package. curl starts at -19 and is
 * upgraded to -23 in the second transaction.
 */
export const OPENSSL: SpecPackage = { name: 'openssl', epoch: 1, version: '3.0.7', release: '6.el9_2', license: 'ASL 2.0', subpackages: ['libs'] };
export const CURL_OLD: SpecPackage = { name: 'curl', version: '7.76.1', release: '19.el9', license: 'MIT', subpackages: ['', '-n libcurl'] };
export const CURL: SpecPackage = { ...CURL_OLD, release: '23.el9' };
export const BASH: SpecPackage = { name: 'bash', version: '5.1.8', release: '5.el9', license: 'GPLv3+', subpackages: [''] };
export const TZDATA: SpecPackage = { name: 'tzdata', version: '2023c', release: '1.el9', license: 'Public Domain', noarch: true, subpackages: [''] };
export const NODEJS: SpecPackage = {
  name: 'nodejs',
  epoch: 1,
  version: '18.12.1',
  release: '1.module_el9.1.0+16+91bc168f',
  license: 'MIT and ASL 2.0 and ISC and BSD',
  subpackages: [''],
  modularityLabel: 'nodejs:18:9010020221201143434:rhel9',
};

function specText(p: SpecPackage): string {
  const lines = [`Name: ${p.name}`, `Version: ${p.version}`, `Release: ${p.release}`, `Summary: ${p.name} test package`, `License: ${p.license}`];
  if (p.epoch !== undefined) lines.push(`Epoch: ${p.epoch}`);
  if (p.noarch) lines.push('BuildArch: noarch');
  lines.push('%description', `${p.name} for cavas tests`);
  for (const sub of p.subpackages) {
    if (sub === '') continue;
    lines.push(`%package ${sub}`, `Summary: ${sub}`, `%description ${sub}`, sub);
  }
  // an empty %files section still makes the binary package
  for (const sub of p.subpackages) lines.push(sub === '' ? '%files' : `%files ${sub}`);
  return lines.join('\n') + '\n';
}

export class RpmWorkshop {
  private readonly top: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly dir: string) {
    haveTools();
    this.top = path.join(dir, 'rpmbuild');
    mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    // rpm reads ~/.rpmmacros and the like: keep it inside the temp dir
    this.env = { PATH: process.env.PATH, HOME: dir, LC_ALL: 'C' };
  }

  private macros(): string[] {
    return ['--define', `_topdir ${this.top}`, '--define', `_tmppath ${path.join(this.dir, 'tmp')}`];
  }

  /** Build the spec's binary rpms; returns their paths. */
  build(p: SpecPackage): string[] {
    const spec = path.join(this.dir, `${p.name}-${p.release}.spec`);
    writeFileSync(spec, specText(p));
    const args = ['-bb', '--quiet', ...this.macros()];
    if (!p.noarch) args.push('--target', 'x86_64');
    if (p.modularityLabel) args.push('--define', `modularitylabel ${p.modularityLabel}`);
    execFileSync('rpmbuild', [...args, spec], { env: this.env, stdio: 'pipe' });
    const arch = p.noarch ? 'noarch' : 'x86_64';
    return p.subpackages.map((sub) => {
      const binary = sub === '' ? p.name : sub.startsWith('-n ') ? sub.slice(3) : `${p.name}-${sub}`;
      return path.join(this.top, 'RPMS', arch, `${binary}-${p.version}-${p.release}.${arch}.rpm`);
    });
  }

  private rpm(root: string, args: string[]): string {
    return execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--define', '_db_backend sqlite', ...args], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  }

  /** One rpm transaction (install or upgrade) into root's db, files only recorded (--justdb). */
  install(root: string, rpms: string[], upgrade = false): void {
    this.rpm(root, [upgrade ? '-U' : '-i', '--nodeps', '--justdb', '--noscripts', ...rpms]);
  }

  importKey(root: string): void {
    const key = path.join(this.dir, 'pubkey.asc');
    writeFileSync(key, PUBKEY);
    this.rpm(root, ['--import', key]);
  }

  /** What rpm itself lists, one "name epoch:version-release arch source license label" line per package, sorted. */
  query(root: string, backend = 'sqlite'): string[] {
    const out = execFileSync(
      'rpm',
      [
        '--root',
        root,
        '--dbpath',
        '/var/lib/rpm',
        '--define',
        `_db_backend ${backend}`,
        '-qa',
        '--qf',
        '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM} %{LICENSE} %{MODULARITYLABEL}\\n',
      ],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
    );
    return out.split('\n').filter((l) => l !== '').sort();
  }
}

export function sqlitePath(root: string): string {
  return path.join(root, 'var/lib/rpm/rpmdb.sqlite');
}

/** The header blobs rpm wrote, read with SQLite from the file (not through cavas' reader). */
export function headersOf(sqliteFile: string): RawHeader[] {
  const db = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as Array<{ hnum: number; blob: Buffer }>).map((r) => ({ key: r.hnum, blob: r.blob }));
  } finally {
    db.close();
  }
}

/**
 * A Berkeley DB hash `Packages` file written by Berkeley DB itself: key 0 holds the last
 * header number (rpm's join key), every other key a 4-byte header number in the file's byte order.
 */
export function bdbFile(dir: string, headers: RawHeader[], opts: { pageSize?: number; bigEndian?: boolean } = {}): Buffer {
  const u32 = (n: number): string => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(n);
    else b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', `db_pagesize=${opts.pageSize ?? 4096}`, `db_lorder=${opts.bigEndian ? 4321 : 1234}`, 'HEADER=END'];
  lines.push(` ${u32(0)}`, ` ${u32(Math.max(0, ...headers.map((h) => h.key)))}`);
  for (const h of headers) lines.push(` ${u32(h.key)}`, ` ${h.blob.toString('hex')}`);
  lines.push('DATA=END');
  const dump = path.join(dir, `dump-${Math.random().toString(36).slice(2)}.txt`);
  const out = `${dump}.db`;
  writeFileSync(dump, lines.join('\n') + '\n');
  execFileSync('db5.3_load', ['-f', dump, out], { stdio: 'pipe' });
  return readFileSync(out);
}

/** zlib's adler32 (the trailer of a zlib stream), independent of cavas' own. */
export function adler32(data: Buffer): number {
  const z = deflateSync(data);
  return z.readUInt32BE(z.length - 4);
}

/** An ndb `Packages.db` laid out as rpmpkg.c writes it: header, one slot page per 255 packages, then the blobs. */
export function ndbFile(headers: RawHeader[]): Buffer {
  const PAGE = 4096;
  const slotPages = Math.max(1, Math.ceil((headers.length + 2) / (PAGE / 16)));
  const parts: Buffer[] = [];
  const slots = Buffer.alloc(slotPages * PAGE);
  for (let off = 0; off < slots.length; off += 16) slots.write('Slot', off, 'latin1');
  slots.write('RpmP', 0, 'latin1');
  slots.writeUInt32LE(0, 4);
  slots.writeUInt32LE(headers.length + 1, 8); // generation: bumped per slot write
  slots.writeUInt32LE(slotPages, 12);
  slots.writeUInt32LE(Math.max(0, ...headers.map((h) => h.key)) + 1, 16);
  parts.push(slots);
  let blk = slots.length / 16;
  headers.forEach((h, i) => {
    const blkcnt = Math.ceil((16 + h.blob.length + 12) / 16);
    const blob = Buffer.alloc(blkcnt * 16);
    blob.write('BlbS', 0, 'latin1');
    blob.writeUInt32LE(h.key, 4);
    blob.writeUInt32LE(1_700_000_000, 8);
    blob.writeUInt32LE(h.blob.length, 12);
    h.blob.copy(blob, 16);
    const tail = blob.length - 12;
    blob.writeUInt32LE(adler32(blob.subarray(0, tail)), tail);
    blob.writeUInt32LE(h.blob.length, tail + 4);
    blob.write('BlbE', tail + 8, 'latin1');
    const slot = 32 + i * 16;
    slots.writeUInt32LE(h.key, slot + 4);
    slots.writeUInt32LE(blk, slot + 8);
    slots.writeUInt32LE(blkcnt, slot + 12);
    blk += blkcnt;
    parts.push(blob);
  });
  return Buffer.concat(parts);
}
