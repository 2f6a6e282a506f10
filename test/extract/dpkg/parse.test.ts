import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDpkgStatusDPath, parseDpkgStatus, MAX_DPKG_STANZAS, type DpkgRecord } from '../../../src/extract/dpkg/parse.js';
import { CavasError } from '../../../src/util/errors.js';
import { filesFromImage, imagePath } from '../fixtures/corpus-image.js';

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-dpkg-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** dpkg's own reading of a status file: the oracle. */
function dpkgQuery(statusText: string): string[] {
  const admin = mkdtempSync(path.join(tmp, 'admin-'));
  writeFileSync(path.join(admin, 'status'), statusText);
  const out = execFileSync(
    'dpkg-query',
    [`--admindir=${admin}`, '-W', '-f=${Package} ${Version} ${source:Package} ${source:Version}\\n'],
    // stderr piped: dpkg warns about fields (Description...) the small fixtures omit.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out.split('\n').filter((l) => l !== '').sort();
}

const quad = (r: DpkgRecord): string => `${r.name} ${r.version} ${r.sourceName} ${r.sourceVersion}`;

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

describe('parseDpkgStatus on corpus images', () => {
  test('debian-base: 88 packages, identical to dpkg-query', () => {
    const files = filesFromImage(imagePath('debian-base.docker.tar.gz'), (p) => p === 'var/lib/dpkg/status');
    const text = files.get('var/lib/dpkg/status')?.toString('utf8');
    assert.ok(text, 'status file not found in the image');
    const recs = parseDpkgStatus(text, 'var/lib/dpkg/status');
    assert.equal(recs.length, 88);
    assert.deepEqual(recs.map(quad).sort(), dpkgQuery(text));
    const bash = recs.find((r) => r.name === 'bash');
    assert.deepEqual(
      { ...bash, maintainer: undefined },
      {
        name: 'bash',
        version: '5.2.15-2+b13',
        arch: 'amd64',
        sourceName: 'bash',
        sourceVersion: '5.2.15-2',
        status: 'install ok installed',
        maintainer: undefined,
      },
    );
    assert.ok(recs.every((r) => r.status === 'install ok installed' && r.arch && r.maintainer));
  });

  test('debian-app: 117 packages across layers, identical to dpkg-query', () => {
    const files = filesFromImage(imagePath('debian-app.docker.tar.gz'), (p) => p === 'var/lib/dpkg/status');
    const text = files.get('var/lib/dpkg/status')?.toString('utf8');
    assert.ok(text);
    const recs = parseDpkgStatus(text, 'var/lib/dpkg/status');
    assert.equal(recs.length, 117);
    assert.deepEqual(recs.map(quad).sort(), dpkgQuery(text));
    const ssl = recs.find((r) => r.name === 'libssl3');
    assert.equal(ssl?.sourceName, 'openssl');
    assert.equal(ssl?.version, '3.0.20-1~deb12u2');
  });

  test('debian-distroless: 8 status.d stanzas without Status, identical to dpkg-query', () => {
    const files = filesFromImage(imagePath('debian-distroless.docker.tar.gz'), (p) =>
      p.startsWith('var/lib/dpkg/status.d/'),
    );
    const stanzaFiles = [...files.keys()].filter(isDpkgStatusDPath).sort();
    assert.deepEqual(stanzaFiles, [
      'var/lib/dpkg/status.d/base-files',
      'var/lib/dpkg/status.d/ca-certificates',
      'var/lib/dpkg/status.d/gcc-12-base',
      'var/lib/dpkg/status.d/libc6',
      'var/lib/dpkg/status.d/libgcc-s1',
      'var/lib/dpkg/status.d/libssl3',
      'var/lib/dpkg/status.d/tzdata',
      'var/lib/dpkg/status.d/zlib1g',
    ]);
    // The .md5sums siblings really are there, and are not stanzas.
    assert.equal(files.size, 16);

    const recs: DpkgRecord[] = [];
    let asStatusFile = '';
    for (const f of stanzaFiles) {
      const text = files.get(f)?.toString('utf8') ?? '';
      const got = parseDpkgStatus(text, f);
      assert.equal(got.length, 1, f);
      recs.push(...got);
      // dpkg-query needs a Status line to list a package; that is all distroless removed.
      asStatusFile += text.replace(/^(Package: .*\n)/, '$1Status: install ok installed\n').trimEnd() + '\n\n';
    }
    assert.equal(recs.length, 8);
    assert.ok(recs.every((r) => r.status === undefined));
    assert.deepEqual(recs.map(quad).sort(), dpkgQuery(asStatusFile));
    assert.deepEqual(
      recs.filter((r) => ['libc6', 'tzdata', 'ca-certificates'].includes(r.name)).map(quad),
      ['ca-certificates 20230311+deb12u1 ca-certificates 20230311+deb12u1', 'libc6 2.36-9+deb12u14 glibc 2.36-9+deb12u14', 'tzdata 2026b-0+deb12u1 tzdata 2026b-0+deb12u1'],
    );
  });
});

describe('parseDpkgStatus semantics', () => {
  test('keeps packages whose files are on disk, drops config-files and not-installed', () => {
    const text = [
      'Package: ok-pkg\nStatus: install ok installed\nVersion: 1.0\n',
      'Package: held\nStatus: hold ok installed\nVersion: 2.0\n',
      'Package: leaving\nStatus: deinstall ok installed\nVersion: 3.0\n',
      'Package: unpacked\nStatus: install ok unpacked\nVersion: 4.0\n',
      'Package: halfconf\nStatus: install reinstreq half-configured\nVersion: 5.0\n',
      'Package: trig\nStatus: install ok triggers-pending\nTriggers-Pending: ldconfig\nVersion: 6.0\n',
      'Package: removed\nStatus: deinstall ok config-files\nVersion: 7.0\n',
      // purge leaves stanzas with no Version: valid, and not a package.
      'Package: purged\nStatus: purge ok not-installed\nPriority: optional\n',
    ].join('\n');
    const names = parseDpkgStatus(text, 'var/lib/dpkg/status').map((r) => r.name);
    assert.deepEqual(names, ['ok-pkg', 'held', 'leaving', 'unpacked', 'halfconf', 'trig']);
    // dpkg-query -W lists the same plus the config-files one (it hides not-installed).
    const oracle = dpkgQuery(text).map((l) => l.split(' ')[0]);
    assert.deepEqual(oracle, [...names, 'removed'].sort());
  });

  test('Source forms, field-name case, CRLF, tab continuation, no final newline', () => {
    const text =
      'package: libfoo1\r\nVERSION: 1:2.3-4+b1\r\nSource: foo (2.3-4)\r\nArchitecture: arm64\r\nStatus: install ok installed\r\n' +
      'Description: thing\r\n\tmore text\r\n .\r\n\r\n' +
      'Package: foo-bin\nVersion: 2.3-4\nSource: foo\nLicense: MIT\nMaintainer: A <a@b.c>\n\n\n\n' +
      'Package: bar\nVersion: 0.1';
    const recs = parseDpkgStatus(text, 'x/status');
    assert.deepEqual(recs, [
      {
        name: 'libfoo1',
        version: '1:2.3-4+b1',
        arch: 'arm64',
        sourceName: 'foo',
        sourceVersion: '2.3-4',
        status: 'install ok installed',
      },
      { name: 'foo-bin', version: '2.3-4', sourceName: 'foo', sourceVersion: '2.3-4', license: 'MIT', maintainer: 'A <a@b.c>' },
      { name: 'bar', version: '0.1', sourceName: 'bar', sourceVersion: '0.1' },
    ]);
    // dpkg lists only stanzas with a Status; it must read that one as we do.
    assert.deepEqual(dpkgQuery(text.replace(/\r/g, '') + '\n'), ['libfoo1 1:2.3-4+b1 foo 2.3-4']);
  });

  test('empty and blank-only input have no packages', () => {
    assert.deepEqual(parseDpkgStatus('', 'p'), []);
    assert.deepEqual(parseDpkgStatus('\n  \n\t\n', 'p'), []);
  });
});

describe('parseDpkgStatus rejects malformed input', () => {
  const P = 'var/lib/dpkg/status';

  test('truncated real status file', () => {
    const text =
      filesFromImage(imagePath('debian-base.docker.tar.gz'), (p) => p === P)
        .get(P)
        ?.toString('utf8') ?? '';
    const lastPkg = text.lastIndexOf('\nPackage: ');
    // Cut right after the last stanza's Package line: a stanza with no Version.
    const afterPkgLine = text.indexOf('\n', lastPkg + 1) + 1;
    const cut = text.slice(0, afterPkgLine);
    const line = cut.split('\n').length - 1;
    assertBad(() => parseDpkgStatus(cut, P), P, new RegExp(`line ${line}: stanza for \\S+ has no Version`));
    // Cut in the middle of a field name.
    assertBad(() => parseDpkgStatus(text.slice(0, afterPkgLine + 3), P), P, /expected "Field: value"/);
  });

  test('binary garbage and NUL bytes', () => {
    const garbage = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x4b, 0x4c]);
    assertBad(() => parseDpkgStatus(garbage.toString('utf8'), P), P, /line 1: binary data/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\n\nPackage: b\u0000\n', P), P, /line 4: binary data \(control byte 0x00\)/);
  });

  test('missing fields', () => {
    assertBad(() => parseDpkgStatus('Version: 1\nStatus: install ok installed\n', P), P, /line 1: stanza has no Package/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\n\nPackage: b\nStatus: install ok installed\n', P), P, /line 4: stanza for b has no Version/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion:\n', P), P, /line 2: bad Version ""/);
  });

  test('lines that are neither fields nor continuations', () => {
    assertBad(() => parseDpkgStatus('Package: a\nthis is not a field\n', P), P, /line 2: expected "Field: value", got "this is not a field"/);
    assertBad(() => parseDpkgStatus(' leading continuation\n', P), P, /line 1: continuation line/);
    assertBad(() => parseDpkgStatus('Package: a\n-Version: 1\n', P), P, /line 2/);
  });

  test('bad values', () => {
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1 2\n', P), P, /line 2: bad Version "1 2"/);
    assertBad(() => parseDpkgStatus('Package: a b\nVersion: 1\n', P), P, /line 1: bad Package/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\nSource: x (1\n', P), P, /line 3: bad Source/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\nStatus: installed\n', P), P, /line 3: bad Status "installed"/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\nStatus: install ok sleeping\n', P), P, /bad Status/);
    assertBad(() => parseDpkgStatus('Package: a\nVersion: 1\npackage: b\n', P), P, /line 3: duplicate field package/);
  });

  test(`more than ${MAX_DPKG_STANZAS} stanzas`, () => {
    const stanza = 'Package: a\nVersion: 1\n\n';
    assert.equal(parseDpkgStatus(stanza.repeat(MAX_DPKG_STANZAS), P).length, MAX_DPKG_STANZAS);
    assertBad(() => parseDpkgStatus(stanza.repeat(MAX_DPKG_STANZAS + 1), P), P, /more than 200000 stanzas/);
  });
});

test('isDpkgStatusDPath', () => {
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/libc6'), true);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/libstdc++6'), true);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/libc6.md5sums'), false);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/libc6.list'), false);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/.wh.libc6'), false);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/'), false);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status.d/sub/libc6'), false);
  assert.equal(isDpkgStatusDPath('var/lib/dpkg/status'), false);
  assert.equal(isDpkgStatusDPath('/var/lib/dpkg/status.d/libc6'), false);
  assert.equal(isDpkgStatusDPath('usr/var/lib/dpkg/status.d/libc6'), false);
});
