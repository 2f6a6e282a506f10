import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectOs, parseOsRelease } from '../../src/extract/os-release.js';
import { CavasError } from '../../src/util/errors.js';
import { filesFromImage, imagePath } from './fixtures/corpus-image.js';

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-osrel-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** What /bin/sh makes of the file: the oracle for quoting and escapes. */
function shellVars(text: string): Record<string, string> {
  const file = path.join(tmp, `os-release-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  const dump = (f: string): Map<string, string> =>
    new Map(
      execFileSync('/bin/sh', ['-c', 'set -a; . "$1"; env -0', 'sh', f], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
        .split('\0')
        .filter((kv) => kv !== '')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
    );
  const empty = path.join(tmp, 'empty');
  writeFileSync(empty, '');
  const base = dump(empty);
  return Object.fromEntries([...dump(file)].filter(([k, v]) => base.get(k) !== v));
}

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

describe('corpus images', () => {
  test('debian-base: os-release and debian_version', () => {
    const files = filesFromImage(imagePath('debian-base.docker.tar.gz'), (p) =>
      ['usr/lib/os-release', 'etc/debian_version'].includes(p),
    );
    const osRelease = files.get('usr/lib/os-release')?.toString('utf8') ?? '';
    const debianVersion = files.get('etc/debian_version')?.toString('utf8') ?? '';
    const vars = parseOsRelease(osRelease, 'usr/lib/os-release');
    assert.deepEqual(vars, {
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      VERSION: '12 (bookworm)',
      VERSION_CODENAME: 'bookworm',
      ID: 'debian',
      HOME_URL: 'https://www.debian.org/',
      SUPPORT_URL: 'https://www.debian.org/support',
      BUG_REPORT_URL: 'https://bugs.debian.org/',
    });
    assert.deepEqual(vars, shellVars(osRelease));
    assert.deepEqual(detectOs({ osRelease, debianVersion }), {
      id: 'debian',
      version: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    assert.equal(debianVersion, '12.15\n');
    assert.deepEqual(detectOs({ debianVersion }), { id: 'debian', version: '12', codename: 'bookworm' });
  });

  test('debian-distroless: os-release from base-files', () => {
    const files = filesFromImage(imagePath('debian-distroless.docker.tar.gz'), (p) => p === 'usr/lib/os-release');
    const osRelease = files.get('usr/lib/os-release')?.toString('utf8');
    assert.ok(osRelease);
    assert.deepEqual(
      { ...detectOs({ osRelease }), prettyName: undefined },
      { id: 'debian', version: '12', codename: 'bookworm', prettyName: undefined },
    );
  });

  test('alpine 3.16.9: os-release and alpine-release', () => {
    const files = filesFromImage(imagePath('alpine-3.16.9.docker.tar.gz'), (p) =>
      ['etc/os-release', 'etc/alpine-release'].includes(p),
    );
    const osRelease = files.get('etc/os-release')?.toString('utf8') ?? '';
    const alpineRelease = files.get('etc/alpine-release')?.toString('utf8') ?? '';
    const vars = parseOsRelease(osRelease, 'etc/os-release');
    assert.equal(vars.VERSION_ID, '3.16.9');
    assert.equal(vars.NAME, 'Alpine Linux');
    assert.deepEqual(vars, shellVars(osRelease));
    assert.deepEqual(detectOs({ osRelease, alpineRelease }), {
      id: 'alpine',
      version: '3.16.9',
      prettyName: 'Alpine Linux v3.16',
    });
    assert.deepEqual(detectOs({ alpineRelease }), { id: 'alpine', version: '3.16.9' });
  });
});

describe('parseOsRelease', () => {
  test('quoting, escapes, comments and continuations read as /bin/sh reads them', () => {
    const text = [
      '# comment line',
      '',
      'NAME="Fancy \\"Linux\\""',
      'ID=fancy',
      "ID_LIKE='debian ubuntu'",
      'VERSION="1.0 (\\$dollar, \\`tick\\`, back\\\\slash, \\q kept)"',
      'CONCAT="a"\'b\'c\\ d',
      'MULTI="line one',
      'line two"',
      'CONT="joined \\',
      'here"',
      "SQ='no \\escapes \"here\"'",
      '   INDENTED=yes   # trailing comment',
      'EMPTY=',
      'EMPTYQ=""',
      'HASH=a#b',
      'ID=fancier',
      '__proto__=polluted',
    ].join('\n');
    const vars = parseOsRelease(text, 'etc/os-release');
    assert.deepEqual(vars, shellVars(text));
    // The shell oracle and explicit values agree; spell out the tricky ones.
    assert.equal(vars.NAME, 'Fancy "Linux"');
    assert.equal(vars.VERSION, '1.0 ($dollar, `tick`, back\\slash, \\q kept)');
    assert.equal(vars.CONCAT, 'abc d');
    assert.equal(vars.MULTI, 'line one\nline two');
    assert.equal(vars.CONT, 'joined here');
    assert.equal(vars.ID, 'fancier');
    assert.equal(Object.getPrototypeOf(vars), Object.prototype);
    assert.ok(Object.hasOwn(vars, '__proto__'));
  });

  test('CRLF line ends and a missing final newline', () => {
    assert.deepEqual(parseOsRelease('ID=debian\r\nVERSION_ID="12"\r\nX=1', 'p'), { ID: 'debian', VERSION_ID: '12', X: '1' });
    assert.deepEqual(parseOsRelease('', 'p'), {});
  });

  test('malformed files', () => {
    const P = 'usr/lib/os-release';
    assertBad(() => parseOsRelease('ID=debian\nVERSION=a b\n', P), P, /line 2: unexpected text after the value of VERSION/);
    assertBad(() => parseOsRelease('ID=debian\njust words\n', P), P, /line 2: expected KEY=value, got "just words"/);
    assertBad(() => parseOsRelease('1ID=x\n', P), P, /line 1: expected KEY=value/);
    assertBad(() => parseOsRelease('ID=x\nNAME="Deb\nian\n', P), P, /line 2: unterminated double quote in NAME/);
    assertBad(() => parseOsRelease("NAME='x\n", P), P, /line 1: unterminated single quote/);
    assertBad(() => parseOsRelease('ID=debian\nNAME=x\0y\n', P), P, /line 2: binary data/);
    assertBad(() => detectOs({ osRelease: 'ID="x', osReleasePath: P }), P);
  });
});

describe('detectOs', () => {
  test('os-release wins over the other files', () => {
    assert.deepEqual(detectOs({ osRelease: 'ID=Alpine\nVERSION_ID=3.18.4\n', debianVersion: '12.1\n' }), {
      id: 'alpine',
      version: '3.18.4',
    });
  });

  test('Debian os-release without VERSION_CODENAME', () => {
    assert.deepEqual(
      detectOs({ osRelease: 'PRETTY_NAME="Debian GNU/Linux 8 (jessie)"\nID=debian\nVERSION_ID="8"\nVERSION="8 (jessie)"\n' }),
      { id: 'debian', version: '8', codename: 'jessie', prettyName: 'Debian GNU/Linux 8 (jessie)' },
    );
    assert.deepEqual(detectOs({ osRelease: 'ID=debian\nVERSION_ID="11"\n' }), { id: 'debian', version: '11', codename: 'bullseye' });
    // Testing has a codename and no number.
    assert.deepEqual(detectOs({ osRelease: 'ID=debian\nVERSION_CODENAME=trixie\n' }), { id: 'debian', version: '', codename: 'trixie' });
  });

  test('Ubuntu codename from UBUNTU_CODENAME when VERSION_CODENAME is missing', () => {
    assert.deepEqual(detectOs({ osRelease: 'ID=ubuntu\nVERSION_ID="16.04"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nUBUNTU_CODENAME=xenial\n' }), {
      id: 'ubuntu',
      version: '16.04',
      codename: 'xenial',
    });
  });

  test('debian_version fallback', () => {
    assert.deepEqual(detectOs({ debianVersion: 'trixie/sid\n' }), { id: 'debian', version: '', codename: 'trixie' });
    assert.deepEqual(detectOs({ debianVersion: '10.13' }), { id: 'debian', version: '10', codename: 'buster' });
    assert.deepEqual(detectOs({ debianVersion: '6.0.10' }), { id: 'debian', version: '6', codename: 'squeeze' });
    // os-release without an ID says nothing; the fallback decides.
    assert.deepEqual(detectOs({ osRelease: 'NAME=x\n', debianVersion: '12.15' }), { id: 'debian', version: '12', codename: 'bookworm' });
    assertBad(() => detectOs({ debianVersion: 'not a version at all' }), 'etc/debian_version');
  });

  test('alpine-release fallback and bad content', () => {
    assert.deepEqual(detectOs({ alpineRelease: '3.19_alpha20231219\n' }), { id: 'alpine', version: '3.19_alpha20231219' });
    assertBad(() => detectOs({ alpineRelease: '<html>' }), 'etc/alpine-release');
  });

  test('nothing to go on', () => {
    assert.equal(detectOs({}), undefined);
    assert.equal(detectOs({ osRelease: '# empty\n' }), undefined);
  });
});
