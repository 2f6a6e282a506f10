import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { apkScheme } from '../../src/version/apk.js';
import { CavasError } from '../../src/util/errors.js';

const CORPUS = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const SECDB = path.join(CORPUS, 'advisories/alpine-secdb');
const FIXTURE = path.resolve(process.cwd(), 'test/version/fixtures/apk-version.data');

const cmp = (a: string, b: string): number => Math.sign(apkScheme.compare(a, b));
const neg = (n: number): number => (n === 0 ? 0 : -n);
const SIGN: Record<string, number> = { '<': -1, '=': 0, '>': 1 };

// apk's grammar written independently of the tokenizer, to cross-check isValid on real data.
const APK_GRAMMAR = /^\d+(\.\d+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(~[0-9a-fA-F]+)?(-r\d+)?$/;

interface Fixture {
  ordering: Array<{ line: number; a: string; op: string; b: string }>;
  fuzzy: string[];
  valid: string[];
  invalid: string[];
}

function readFixture(): Fixture {
  const fx: Fixture = { ordering: [], fuzzy: [], valid: [], invalid: [] };
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const parts = line.split(/\s+/);
      if (parts.length === 3) {
        const [a, op, b] = parts as [string, string, string];
        if (op in SIGN) fx.ordering.push({ line: i + 1, a, op, b });
        else fx.fuzzy.push(line);
      } else if (parts.length === 1) {
        if (line.startsWith('!')) fx.invalid.push(line.slice(1));
        else fx.valid.push(line);
      } else {
        throw new Error(`unexpected fixture line ${i + 1}: ${raw}`);
      }
    });
  return fx;
}

interface SecdbFile {
  packages: Array<{ pkg: { name: string; secfixes?: Record<string, string[]> } }>;
}

function secdbFiles(): Array<{ branch: string; file: string; data: SecdbFile }> {
  const out: Array<{ branch: string; file: string; data: SecdbFile }> = [];
  for (const branch of readdirSync(SECDB)) {
    for (const file of readdirSync(path.join(SECDB, branch))) {
      if (file.endsWith('.json')) out.push({ branch, file, data: JSON.parse(readFileSync(path.join(SECDB, branch, file), 'utf8')) as SecdbFile });
    }
  }
  return out;
}

/** Package name -> version from /lib/apk/db/installed of the corpus alpine 3.16.9 image (read with the system tar). */
function alpineImageInstalled(): Array<{ name: string; version: string; origin: string }> {
  const oci = path.join(CORPUS, 'images/alpine-3.16.9.oci.tar');
  const readMember = (member: string): Buffer => execFileSync('tar', ['-xOf', oci, member], { maxBuffer: 64 << 20 });
  const index = JSON.parse(readMember('index.json').toString()) as { manifests: Array<{ digest: string }> };
  const manifestDigest = (index.manifests[0]?.digest ?? '').replace(':', '/');
  const manifest = JSON.parse(readMember(`blobs/${manifestDigest}`).toString()) as { layers: Array<{ digest: string }> };
  const layer = `blobs/${(manifest.layers[0]?.digest ?? '').replace(':', '/')}`;
  const db = execFileSync('sh', ['-c', 'tar -xOf "$1" "$2" | tar -xzOf - lib/apk/db/installed', 'sh', oci, layer], { maxBuffer: 64 << 20 }).toString();
  return db
    .split('\n\n')
    .filter((s) => s.trim() !== '')
    .map((stanza) => {
      const field = (k: string): string => stanza.split('\n').find((l) => l.startsWith(`${k}:`))?.slice(2) ?? '';
      return { name: field('P'), version: field('V'), origin: field('o') };
    });
}

describe("apkScheme against apk-tools' own test vectors", () => {
  const fx = readFixture();

  test('the fixture holds the whole upstream file', () => {
    assert.equal(fx.ordering.length, 738);
    assert.equal(fx.fuzzy.length, 16);
    assert.equal(fx.valid.length + fx.invalid.length, 31);
  });

  test('every ordering row, both ways round', () => {
    const wrong: string[] = [];
    for (const { line, a, op, b } of fx.ordering) {
      const want = SIGN[op] as number;
      if (cmp(a, b) !== want || cmp(b, a) !== neg(want)) wrong.push(`line ${line}: ${a} ${op} ${b} (got ${cmp(a, b)})`);
    }
    assert.deepEqual(wrong, []);
  });

  test('every validity row', () => {
    assert.deepEqual(fx.valid.filter((v) => !apkScheme.isValid(v)), []);
    assert.deepEqual(fx.invalid.filter((v) => apkScheme.isValid(v)), []);
    assert.ok(fx.invalid.includes(''), 'the bare "!" row stands for the empty string');
  });
});

describe('apkScheme on real Alpine data', () => {
  const files = secdbFiles();

  test('isValid agrees with the apk grammar on every secfixes version of every branch', () => {
    const keys = new Set<string>();
    for (const { data } of files) for (const p of data.packages) for (const k of Object.keys(p.pkg.secfixes ?? {})) keys.add(k);
    assert.ok(keys.size > 4000, `expected the secdb versions, got ${keys.size}`);
    const disagree = [...keys].filter((k) => apkScheme.isValid(k) !== APK_GRAMMAR.test(k));
    assert.deepEqual(disagree, []);
    // The secdb really does hold versions apk-tools rejects; they must still compare.
    for (const bad of ['6.6.4p1-r1', '1.18.-r2', '2021-03-27-r5']) {
      assert.ok(keys.has(bad), `${bad} is no longer in the corpus`);
      assert.equal(apkScheme.isValid(bad), false);
      assert.doesNotThrow(() => apkScheme.compare(bad, '1.0-r0'));
    }
  });

  test("each package's secfixes versions sort into a consistent order", () => {
    let pairs = 0;
    const wrong: string[] = [];
    for (const { branch, file, data } of files) {
      for (const p of data.packages) {
        const sorted = Object.keys(p.pkg.secfixes ?? {}).sort(apkScheme.compare);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            const a = sorted[i] as string;
            const b = sorted[j] as string;
            pairs++;
            if (cmp(a, b) > 0 || cmp(b, a) < 0) wrong.push(`${branch}/${file} ${p.pkg.name}: ${a} vs ${b}`);
          }
        }
      }
    }
    assert.deepEqual(wrong.slice(0, 10), []);
    assert.ok(pairs > 10000, `only ${pairs} pairs`);
  });

  test('the alpine 3.16.9 image lacks exactly one v3.16 security fix: busybox 1.35.0-r18', () => {
    const installed = alpineImageInstalled();
    assert.equal(installed.length, 14);
    for (const p of installed) assert.ok(apkScheme.isValid(p.version), `${p.name} ${p.version}`);

    const main = files.find((f) => f.branch === 'v3.16' && f.file === 'main.json');
    assert.ok(main, 'v3.16/main.json missing from the corpus');
    const fixes = new Map(main.data.packages.map((p) => [p.pkg.name, Object.keys(p.pkg.secfixes ?? {})]));

    const missing = new Set<string>();
    let compared = 0;
    for (const p of installed) {
      for (const fixed of fixes.get(p.origin) ?? []) {
        if (fixed === '0') continue; // secdb's "never affected" marker
        compared++;
        if (apkScheme.compare(p.version, fixed) < 0) missing.add(`${p.origin} ${fixed}`);
      }
    }
    // Exercises letters (1.1.1w vs 1.1.1t), numeric revisions (r17 vs r7/r15/r18) and _pre.
    assert.ok(compared > 30, `only ${compared} comparisons`);
    assert.deepEqual([...missing], ['busybox 1.35.0-r18']);
  });
});

describe('apkScheme rules', () => {
  const TABLE: Array<[string, '<' | '=' | '>', string]> = [
    ['1.2.3_rc1-r0', '<', '1.2.3-r0'],
    ['1.2.3_p1-r0', '>', '1.2.3-r0'],
    ['1.2.3a-r0', '>', '1.2.3-r0'],
    ['1.2.3-r10', '>', '1.2.3-r9'],
    ['2.4.38-r0', '>', '2.4.37-r11'],
    ['2.4.38-r0', '<', '2.4.38-r1'],
    ['2.4.38_rc1-r0', '<', '2.4.38-r0'],
    ['1.1.1t-r0', '<', '1.1.1w-r1'],
    ['1.0_alpha', '<', '1.0_beta'],
    ['1.0_beta', '<', '1.0_pre'],
    ['1.0_pre', '<', '1.0_rc'],
    ['1.0_rc', '<', '1.0'],
    ['1.0', '<', '1.0_cvs'],
    ['1.0_cvs', '<', '1.0_svn'],
    ['1.0_svn', '<', '1.0_git'],
    ['1.0_git', '<', '1.0_hg'],
    ['1.0_hg', '<', '1.0_p'],
    ['1.0_rc', '<', '1.0_rc1'],
    ['1.0_rc9', '<', '1.0_rc10'],
    ['1.0_p1', '<', '1.0a'],
    // A present revision, even -r0, is newer than none.
    ['1.0', '<', '1.0-r0'],
    ['1.0.0', '>', '1.0'],
    ['1.0.0', '>', '1.0-r5'],
    // Leading zeros after a dot switch to string order; the first number stays numeric.
    ['1.05', '<', '1.5'],
    ['1.0', '<', '1.00'],
    ['007', '=', '7'],
    // Commit hashes order as strings and count as newer than a revision or nothing.
    ['1.0~abc', '>', '1.0'],
    ['1.0~abc', '>', '1.0-r1'],
    ['1.0~ABC', '<', '1.0~abc'],
    ['1.0~abc-r1', '>', '1.0~abc-r0'],
    // Numbers of any length.
    ['1.99999999999999999999999', '>', '1.99999999999999999999998'],
    ['1.0_pre20191002222144', '<', '1.0_pre20210530193627'],
    // Invalid tails, ordered as apk-tools does: compare up to the bad token, which sorts
    // below any valid continuation except a pre-release suffix; two bad tails tie.
    ['6.6.4p1-r2', '=', '6.6.4p1-r1'],
    ['6.6.4p1-r2', '>', '6.6.4-r0'],
    ['1.0_foo', '<', '1.0'],
    ['1.0_foo', '>', '1.0_rc1'],
    ['1.0_foo', '=', '1.0_bar'],
    ['1.18.-r2', '<', '1.18-r2'],
  ];

  for (const [a, op, b] of TABLE) {
    test(`${a} ${op} ${b}`, () => {
      const want = SIGN[op] as number;
      assert.equal(cmp(a, b), want);
      assert.equal(cmp(b, a), neg(want));
    });
  }

  test('returns exactly -1, 0 or 1', () => {
    assert.equal(apkScheme.compare('1.0', '1.0.1'), -1);
    assert.equal(apkScheme.compare('1.0-r10', '1.0-r9'), 1);
    assert.equal(apkScheme.compare('1.0-r1', '1.0-r1'), 0);
  });

  for (const v of ['', 'a', 'r1', '-r1', '_rc1', '.1', ' 1.0', 'v1.0']) {
    test(`throws BAD_PACKAGE_DB for ${JSON.stringify(v)}`, () => {
      assert.throws(
        () => apkScheme.compare(v, '1.0'),
        (e: unknown) => e instanceof CavasError && e.code === 'BAD_PACKAGE_DB' && e.message.startsWith(`invalid apk version ${JSON.stringify(v)}: `),
      );
      assert.throws(() => apkScheme.compare('1.0', v), CavasError);
      assert.equal(apkScheme.isValid(v), false);
    });
  }

  test('isValid follows apk_version_validate', () => {
    for (const v of ['1', '1.2.3', '1.2.3a', '1.2.3_rc1', '1.2.3_p1_rc2', '1.2.3~abcDEF01', '1.2.3_git20240101~abc-r7', '1.2.3-r0']) {
      assert.equal(apkScheme.isValid(v), true, v);
    }
    for (const v of ['1.2.3-', '1.2.3-r', '1.2.3-1', '1.2.3_', '1.2.3_final', '1.2.3a.1', '1.2.3ab', '1.2.3~', '1.2.3~xyz', '1.2.3-r1~abc', '1.2.3 ', '1..2']) {
      assert.equal(apkScheme.isValid(v), false, v);
    }
  });
});
