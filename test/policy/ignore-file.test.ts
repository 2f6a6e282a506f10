import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isEntryActive, isValidDate, parseIgnoreFile, readIgnoreFile, MAX_IGNORE_FILE_BYTES } from '../../src/policy/ignore-file.js';
import { CavasError } from '../../src/util/errors.js';

const FILE = '.cavasignore';

function badInput(text: string, pattern: RegExp): void {
  assert.throws(() => parseIgnoreFile(text, FILE), (e: unknown) => {
    assert.ok(e instanceof CavasError, 'a CavasError');
    assert.equal(e.code, 'BAD_INPUT');
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, /^\.cavasignore: /, 'names the file');
    assert.match(e.message, pattern);
    return true;
  });
}

describe('parseIgnoreFile: valid files', () => {
  it('reads vulnerability and rule entries with every key', () => {
    const entries = parseIgnoreFile(
      [
        'ignore:',
        '  - id: CVE-2023-45853',
        '    package: pkg:deb/debian/zlib1g',
        '    reason: minizip is not shipped in this image',
        '    expires: 2026-12-31',
        '  - id: secret/private-key',
        '    path: /app/test/fixtures/**',
        '    reason: throwaway key used by the test suite',
        '',
      ].join('\n'),
      FILE,
    );
    assert.deepEqual(entries, [
      { id: 'CVE-2023-45853', package: 'pkg:deb/debian/zlib1g', reason: 'minizip is not shipped in this image', expires: '2026-12-31', source: FILE, index: 0 },
      // leading slash dropped: finding paths are root-relative
      { id: 'secret/private-key', path: 'app/test/fixtures/**', reason: 'throwaway key used by the test suite', source: FILE, index: 1 },
    ]);
  });
  it('an empty file or an empty list ignores nothing', () => {
    assert.deepEqual(parseIgnoreFile('', FILE), []);
    assert.deepEqual(parseIgnoreFile('# nothing accepted yet\n', FILE), []);
    assert.deepEqual(parseIgnoreFile('ignore:\n', FILE), []);
    assert.deepEqual(parseIgnoreFile('ignore: []\n', FILE), []);
  });
  it('an unquoted date stays the string written (YAML 1.2 core, no timestamp type)', () => {
    const [e] = parseIgnoreFile('ignore:\n  - {id: CVE-2024-0727, reason: r, expires: 2027-01-05}\n', FILE);
    assert.equal(e?.expires, '2027-01-05');
  });
});

describe('parseIgnoreFile: errors name the file and the entry', () => {
  it('missing or blank reason', () => {
    badInput('ignore:\n  - id: CVE-2023-45853\n    package: zlib1g\n', /ignore\[0\] \(CVE-2023-45853\): missing reason/);
    badInput('ignore:\n  - id: CVE-2023-1\n    reason: ok\n  - id: CVE-2023-45853\n    reason: "   "\n', /ignore\[1\] \(CVE-2023-45853\): reason must be a non-empty string/);
  });
  it('missing id', () => {
    badInput('ignore:\n  - reason: because\n', /ignore\[0\]: missing id/);
  });
  it('bad dates: wrong format, impossible day, YAML number', () => {
    badInput('ignore:\n  - {id: CVE-2023-45853, reason: r, expires: 31/12/2026}\n', /ignore\[0\].*expires must be a date YYYY-MM-DD/);
    badInput('ignore:\n  - {id: CVE-2023-45853, reason: r, expires: 2026-02-30}\n', /expires must be a date YYYY-MM-DD, got "2026-02-30"/);
    badInput('ignore:\n  - {id: CVE-2023-45853, reason: r, expires: 20261231}\n', /expires must be a date/);
  });
  it('unknown keys, in an entry and at the top level', () => {
    badInput('ignore:\n  - id: CVE-2023-45853\n    reason: r\n    expiry: 2026-12-31\n', /ignore\[0\] \(CVE-2023-45853\): unknown key "expiry"/);
    badInput('ignores:\n  - id: CVE-2023-45853\n', /unknown top-level key "ignores"/);
  });
  it('package and path together are refused', () => {
    badInput('ignore:\n  - {id: CVE-2023-45853, package: zlib1g, path: "usr/**", reason: r}\n', /cannot both be given/);
  });
  it('a package that starts like a purl must be one', () => {
    badInput('ignore:\n  - {id: CVE-2023-45853, package: "pkg:", reason: r}\n', /not a valid purl/);
  });
  it('malformed YAML reports the line', () => {
    badInput('ignore:\n  - id: CVE-2023-45853\n    reason: "unterminated\n', /not valid YAML at line \d+/);
    badInput('ignore:\n  - id: a\n    id: b\n    reason: r\n', /not valid YAML/);
  });
  it('wrong shapes', () => {
    badInput('- id: CVE-2023-45853\n', /expected a mapping with an ignore: list/);
    badInput('ignore: CVE-2023-45853\n', /ignore: must be a list/);
    badInput('ignore:\n  - CVE-2023-45853\n', /ignore\[0\]: expected a mapping/);
  });
  it('over 1 MiB is refused, from text and from disk', async () => {
    const big = `ignore: []\n#${'x'.repeat(MAX_IGNORE_FILE_BYTES)}\n`;
    badInput(big, /larger than 1048576 bytes/);
    const dir = await mkdtemp(join(tmpdir(), 'cavasignore-'));
    try {
      const path = join(dir, '.cavasignore');
      await writeFile(path, big);
      await assert.rejects(readIgnoreFile(path), { code: 'BAD_INPUT', message: /larger than/ });
      await writeFile(path, 'ignore:\n  - {id: CVE-2023-45853, reason: accepted}\n');
      assert.deepEqual(await readIgnoreFile(path), [{ id: 'CVE-2023-45853', reason: 'accepted', source: path, index: 0 }]);
      await assert.rejects(readIgnoreFile(join(dir, 'absent')), { code: 'NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('expiry dates', () => {
  it('isValidDate accepts real days only', () => {
    assert.equal(isValidDate('2024-02-29'), true);
    assert.equal(isValidDate('2023-02-29'), false);
    assert.equal(isValidDate('2026-13-01'), false);
    assert.equal(isValidDate('2026-1-01'), false);
  });
  it('an entry is active through its expiry day in UTC, inactive from the next midnight', () => {
    const e = { expires: '2026-06-30' };
    assert.equal(isEntryActive(e, new Date('2026-06-29T12:00:00Z')), true);
    assert.equal(isEntryActive(e, new Date('2026-06-30T23:59:59.999Z')), true);
    assert.equal(isEntryActive(e, new Date('2026-07-01T00:00:00Z')), false);
    // 23:30 on the 30th in New York is already July 1st in UTC
    assert.equal(isEntryActive(e, new Date('2026-06-30T23:30:00-04:00')), false);
    assert.equal(isEntryActive({}, new Date('2099-01-01T00:00:00Z')), true);
  });
});
