import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseApkInstalled, MAX_APK_RECORDS } from '../../../src/extract/apk/parse.js';
import { CavasError } from '../../../src/util/errors.js';
import { filesFromImage, imagePath } from '../fixtures/corpus-image.js';

const DB = 'lib/apk/db/installed';

function assertBad(fn: () => unknown, file: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CavasError, `not a CavasError: ${String(e)}`);
    assert.equal(e.code, 'BAD_PACKAGE_DB');
    assert.ok(!/[\r\n]/.test(e.message), `multi-line message: ${e.message}`);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    if (detail) assert.match(e.message, detail);
    return true;
  });
}

let alpineDb: string | undefined;
function alpineInstalled(): string {
  alpineDb ??= filesFromImage(imagePath('alpine-3.16.9.docker.tar.gz'), (p) => p === DB).get(DB)?.toString('utf8');
  assert.ok(alpineDb, `${DB} not found in the alpine image`);
  return alpineDb;
}

/** Members of an upstream minirootfs tarball, without the leading ./ */
function rootfs(file: string): { list: string[]; read: (p: string) => string } {
  const tgz = imagePath(`inputs/alpine/${file}`);
  return {
    list: execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.replace(/^\.\//, ''))
      .filter((l) => l !== ''),
    read: (p) => execFileSync('tar', ['-xzOf', tgz, `./${p}`], { encoding: 'utf8' }),
  };
}

describe('parseApkInstalled on corpus data', () => {
  test('alpine 3.16.9 image: 14 packages with exact values', () => {
    const recs = parseApkInstalled(alpineInstalled(), DB);
    assert.equal(recs.length, 14);
    assert.deepEqual(
      recs.map((r) => `${r.name} ${r.version} ${r.origin}`),
      [
        'alpine-baselayout-data 3.2.0-r23 alpine-baselayout',
        'musl 1.2.3-r3 musl',
        'busybox 1.35.0-r17 busybox',
        'alpine-baselayout 3.2.0-r23 alpine-baselayout',
        'alpine-keys 2.4-r1 alpine-keys',
        'ca-certificates-bundle 20230506-r0 ca-certificates',
        'libcrypto1.1 1.1.1w-r1 openssl',
        'libssl1.1 1.1.1w-r1 openssl',
        'ssl_client 1.35.0-r17 busybox',
        'zlib 1.2.12-r3 zlib',
        'apk-tools 2.12.9-r3 apk-tools',
        'scanelf 1.3.4-r0 pax-utils',
        'musl-utils 1.2.3-r3 musl',
        'libc-utils 0.7.2-r3 libc-dev',
      ],
    );
    const musl = recs[1];
    assert.deepEqual({ ...musl, files: musl?.files.length }, {
      name: 'musl',
      version: '1.2.3-r3',
      arch: 'x86_64',
      origin: 'musl',
      license: 'MIT',
      maintainer: 'Timo Teräs <timo.teras@iki.fi>',
      commit: 'a8200e94bd003c0d5fe95a77850958ed60b91dec',
      files: musl?.files.length,
    });
    assert.ok(musl?.files.includes('lib/ld-musl-x86_64.so.1'));
    assert.equal(recs[0]?.commit, '348653a9ba0701e8e968b3344e72313a9ef334e4');
    assert.ok(recs[0]?.files.includes('etc/shadow'));
    assert.ok(recs.every((r) => r.arch === 'x86_64'));
  });

  test('every file the db lists is in the upstream rootfs, and only R: lines make files', () => {
    const recs = parseApkInstalled(alpineInstalled(), DB);
    const files = recs.flatMap((r) => r.files);
    assert.equal(files.length, alpineInstalled().split('\n').filter((l) => l.startsWith('R:')).length);
    const members = new Set(rootfs('alpine-minirootfs-3.16.9-x86_64.tar.gz').list);
    const missing = files.filter((f) => !members.has(f));
    assert.deepEqual(missing, []);
  });

  test('alpine 3.12.12 rootfs (older apk-tools)', () => {
    const fs = rootfs('alpine-minirootfs-3.12.12-x86_64.tar.gz');
    const text = fs.read(DB);
    const recs = parseApkInstalled(text, DB);
    assert.equal(recs.length, text.split('\n').filter((l) => l.startsWith('P:')).length);
    assert.equal(recs.length, 14);
    assert.deepEqual(
      recs.slice(0, 3).map((r) => `${r.name} ${r.version} ${r.origin}`),
      ['musl 1.1.24-r10 musl', 'busybox 1.31.1-r22 busybox', 'alpine-baselayout 3.2.0-r7 alpine-baselayout'],
    );
  });
});

describe('parseApkInstalled format details', () => {
  test('CRLF, no final newline, extra blank lines, root-dir files', () => {
    const text = '\r\nP:a\r\nV:1.0-r0\r\nF:usr/bin\r\nR:a\r\nF:\r\nR:top\r\n\r\n\r\n\r\nP:b\r\nV:2-r1\r\nA:aarch64';
    assert.deepEqual(parseApkInstalled(text, DB), [
      { name: 'a', version: '1.0-r0', files: ['usr/bin/a', 'top'] },
      { name: 'b', version: '2-r1', arch: 'aarch64', files: [] },
    ]);
  });

  test('empty database', () => {
    assert.deepEqual(parseApkInstalled('', DB), []);
    assert.deepEqual(parseApkInstalled('\n\n', DB), []);
  });
});

describe('parseApkInstalled rejects malformed input', () => {
  test('truncated real database', () => {
    const text = alpineInstalled();
    const lastP = text.lastIndexOf('\nP:');
    const cut = text.slice(0, text.indexOf('\n', lastP + 1) + 1);
    const recordLine = text.slice(0, lastP).split('\n').length; // the C: line before P:
    assertBad(() => parseApkInstalled(cut, DB), DB, new RegExp(`line ${recordLine}: record for libc-utils has no V:`));
    assertBad(() => parseApkInstalled(`${cut}V`, DB), DB, /expected "X:value", got "V"/);
  });

  test('garbage bytes and NUL', () => {
    const garbage = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff]).toString('latin1');
    assertBad(() => parseApkInstalled(garbage, DB), DB, /line 1: binary data/);
    assertBad(() => parseApkInstalled('P:a\nV:1\n\nP:b\0\nV:2\n', DB), DB, /line 4: binary data \(control byte 0x00\)/);
  });

  test('missing fields and bad lines', () => {
    assertBad(() => parseApkInstalled('V:1\nA:x86_64\n', DB), DB, /line 1: record has no P:/);
    assertBad(() => parseApkInstalled('P:a\nV:1\n\nP:b\nA:x86_64\n', DB), DB, /line 4: record for b has no V:/);
    assertBad(() => parseApkInstalled('P:a\nV:\n', DB), DB, /line 2: bad version ""/);
    assertBad(() => parseApkInstalled('P:a\nV:1 2\n', DB), DB, /line 2: bad version "1 2"/);
    assertBad(() => parseApkInstalled('P:a\nV:1\nnot a field\n', DB), DB, /line 3: expected "X:value"/);
    assertBad(() => parseApkInstalled('P:a\nV:1\nPV:2\n', DB), DB, /line 3/);
    assertBad(() => parseApkInstalled('P:a\nV:1\nR:orphan\n', DB), DB, /line 3: R: \(file\) line before any F:/);
    // Two records run together: both would be lost into one.
    assertBad(() => parseApkInstalled('P:a\nV:1\nP:b\nV:2\n', DB), DB, /line 3: second P: line in the record for a/);
  });

  test(`more than ${MAX_APK_RECORDS} records`, () => {
    const rec = 'P:a\nV:1\n\n';
    assert.equal(parseApkInstalled(rec.repeat(MAX_APK_RECORDS), DB).length, MAX_APK_RECORDS);
    assertBad(() => parseApkInstalled(rec.repeat(MAX_APK_RECORDS + 1), DB), DB, /more than 200000 records/);
  });
});
