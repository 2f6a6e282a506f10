import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { debScheme } from '../../src/version/deb.js';
import { CavasError } from '../../src/util/errors.js';

const CORPUS = process.env.CAVAS_CORPUS ?? path.resolve(process.cwd(), '../shared/corpus');
const TRACKER = path.join(CORPUS, 'advisories/debian/tracker.json');

// dpkg is the reference implementation; every Debian machine has it.
const HAVE_DPKG = ['/usr/bin/dpkg', '/bin/dpkg'].some((p) => existsSync(p));
const NO_DPKG = HAVE_DPKG ? false : 'dpkg is not installed';

const cmp = (a: string, b: string): number => Math.sign(debScheme.compare(a, b));

interface TrackerRelease {
  fixed_version?: string;
  repositories?: Record<string, string>;
}
type Tracker = Record<string, Record<string, { releases: Record<string, TrackerRelease> }>>;

function trackerVersions(): string[] {
  const data = JSON.parse(readFileSync(TRACKER, 'utf8')) as Tracker;
  const out = new Set<string>();
  for (const cves of Object.values(data)) {
    for (const cve of Object.values(cves)) {
      for (const rel of Object.values(cve.releases)) {
        if (rel.fixed_version) out.add(rel.fixed_version);
        for (const v of Object.values(rel.repositories ?? {})) out.add(v);
      }
    }
  }
  return [...out];
}

/** Versions built to hit every branch of the algorithm, all accepted by dpkg (some with a warning). */
function syntheticVersions(): string[] {
  const upstreams = [
    '0', '1', '1.0', '1.0.0', '1.00', '01.0', '1.0.1', '1.1', '1.10', '1.9', '2.30', '2.4', '9', '10',
    '1.0a', '1.0A', '1.0z', '1.0Z', '1.0aa', '1.0a1', '1.0a01', '1.0+', '1.0.', '1.0~', '1.0~~', '1.0~~a',
    '1.0~a', '1.0~rc1', '1.0~beta2', '1.0~rc1~1', '1.0+dfsg', '1.0+dfsg1', '1.0+really2.0', '1.0+~1.0',
    '1.0+a', '1.0a+', '1.0+~', '1.0~+', '1.0-1', '1.0-rc1', '1.0:1',
    '18446744073709551615', '18446744073709551616', '18446744073709551615.1', '000000000000000000000000001',
    '1.999999999999999999999999999', '1.1000000000000000000000000000', '1.0000000000000000000000000000',
  ];
  const revisions = ['', '-0', '-1', '-1.1', '-2', '-10', '-1~bpo11+1', '-1+deb12u1', '-1+deb12u2', '-1+deb12u10',
    '-1~deb12u1', '-1a', '-1~', '-0.1', '-a', '-0ubuntu1'];
  const epochs = ['0:', '1:', '2:', '10:', '2147483647:'];
  const out: string[] = [];
  // Every upstream part bare, with three revisions and one epoch in rotation: each
  // dpkg call costs a process, so the set is broad rather than a full product.
  upstreams.forEach((u, i) => {
    // A colon in the upstream part needs an epoch, or dpkg reads it as one.
    const withEpoch = u.includes(':') ? `1:${u}` : u;
    out.push(withEpoch);
    for (let k = 1; k <= 3; k++) out.push(withEpoch + (revisions[(i * 3 + k) % revisions.length] as string));
    out.push(`${epochs[i % epochs.length] as string}${u}-1`);
  });
  // Accepted by dpkg with a warning only: odd characters, non-ASCII, no leading digit.
  out.push('1.0é', '1.0é-1', '1.0ÿ', '1.0_1', '1.0#', '1.0@1', 'a1.0', '~1', '+1', '1.0-1_1', '1.0-1é', '00:1.0', '+1:1.0', '-0:1.0');
  return out;
}

/**
 * Asks dpkg about each (a, op, b): true where `dpkg --compare-versions a op b`
 * holds. One shell per chunk, chunks in parallel, so thousands of pairs take seconds.
 */
async function dpkgConfirms(queries: Array<[string, string, string]>): Promise<boolean[]> {
  const script = `while IFS='\t' read -r a op b; do
    if dpkg --compare-versions -- "$a" "$op" "$b" 2>/dev/null; then echo 1; else echo 0; fi
  done`;
  const runChunk = (chunk: Array<[string, string, string]>): Promise<boolean[]> =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => {
        const lines = out.split('\n').filter((l) => l !== '');
        if (code !== 0 || lines.length !== chunk.length) reject(new Error(`dpkg oracle failed (exit ${code}, ${lines.length}/${chunk.length} answers)`));
        else resolve(lines.map((l) => l === '1'));
      });
      child.stdin.end(chunk.map((q) => q.join('\t')).join('\n') + '\n');
    });
  const CHUNKS = 2;
  const size = Math.ceil(queries.length / CHUNKS);
  const chunks = Array.from({ length: CHUNKS }, (_, i) => queries.slice(i * size, (i + 1) * size)).filter((c) => c.length > 0);
  return (await Promise.all(chunks.map(runChunk))).flat();
}

const opFor = (sign: number): string => (sign < 0 ? 'lt' : sign > 0 ? 'gt' : 'eq');

/** dpkg's exit status for one version: 2 means it rejected the syntax. */
function dpkgParseStatus(v: string): number {
  try {
    execFileSync('dpkg', ['--compare-versions', '--', v, 'eq', '0'], { stdio: 'ignore' });
    return 0;
  } catch (e) {
    return (e as { status?: number }).status ?? -1;
  }
}

// Classic cases, each also confirmed against dpkg below.
const TABLE: Array<[string, '<' | '=' | '>', string]> = [
  ['1.0~rc1', '<', '1.0'],
  ['1.0~~', '<', '1.0~'],
  ['1.0~', '<', '1.0'],
  ['1.0', '<', '1.0a'],
  ['1.0a', '<', '1.0+'],
  ['1.0+', '<', '1.0.'],
  ['1.0', '<', '1.0.0'],
  ['1.0', '=', '1.00'],
  ['1.0', '=', '0:1.0'],
  ['1:0.1', '>', '2.0'],
  ['2:1.0', '>', '1:9.9'],
  ['1.0-1', '<', '1.0-1+deb12u1'],
  ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u12'],
  ['3.0.11-1~deb12u2', '<', '3.0.11-1'],
  ['2.36-9+deb12u4', '<', '2.36-9+deb12u10'],
  ['1.2.13.dfsg-1', '<', '1:1.2.13.dfsg-1'],
  ['10.1.55-1~deb12u1', '<', '10.1.55-1'],
  ['1.0-1-1', '>', '1.0-1'],
  ['1.0-1-1', '>', '1.0-2'],
  ['1.0-0', '=', '1.0'],
  ['1.0-1', '>', '1.0'],
  ['1.0-1', '>', '1.0-0'],
  ['1.0A', '<', '1.0a'],
  ['1.0Z', '<', '1.0a'],
  ['1.10', '>', '1.9'],
  ['1.010', '=', '1.10'],
  ['22.01+really26.01+dfsg-0+deb12u1', '<', '22.01+really26.02+dfsg-0+deb12u1'],
  ['4.17.3+10-g091466ba55-1~deb12u1', '>', '4.17.3+10-g091466ba55-0'],
  ['18446744073709551616', '>', '18446744073709551615'],
  ['1.99999999999999999999999999999', '>', '1.99999999999999999999999999998'],
  ['1.00000000000000000000000000009', '<', '1.10'],
  ['1.0 ', '=', '1.0'],
  ['\t1.0', '=', '1.0'],
  ['1.0é', '>', '1.0z'],
  ['1.0é', '<', '1.0+'],
  ['\n1:1.0', '=', '1:1.0'],
];

describe('debScheme on real Debian versions, against dpkg', () => {
  test('orders every tracker.json version and hundreds of built ones exactly as dpkg does', { skip: NO_DPKG }, async () => {
    const real = trackerVersions();
    assert.ok(real.length > 1000, `expected the bookworm tracker versions, got ${real.length}`);
    const all = [...new Set([...real, ...syntheticVersions()])];
    const sorted = [...all].sort(debScheme.compare);

    // rank[i]: position of sorted[i]'s equality class.
    const rank: number[] = [];
    sorted.forEach((v, i) => rank.push(i === 0 ? 0 : (rank[i - 1] as number) + (cmp(sorted[i - 1] as string, v) === 0 ? 0 : 1)));

    // Our comparator is a consistent total order on the whole set...
    const inconsistent: string[] = [];
    for (let i = 0; i < sorted.length && inconsistent.length < 10; i++) {
      const a = sorted[i] as string;
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j] as string;
        if (cmp(a, b) !== ((rank[i] as number) < (rank[j] as number) ? -1 : 0)) inconsistent.push(`${a} vs ${b}`);
      }
      const b = sorted[(i * 7919) % sorted.length] as string;
      if (cmp(a, b) !== -cmp(b, a)) inconsistent.push(`${a} vs ${b} is not antisymmetric`);
    }
    assert.deepEqual(inconsistent, []);

    // ...and dpkg confirms each neighbour step, so by transitivity dpkg agrees on every pair.
    const queries: Array<[string, string, string]> = [];
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as string;
      const b = sorted[i] as string;
      queries.push([a, opFor(cmp(a, b)), b]);
    }
    const answers = await dpkgConfirms(queries);
    const disagreements = queries.filter((_, i) => !answers[i]).map((q) => q.join(' '));
    assert.deepEqual(disagreements.slice(0, 20), []);
    assert.ok(queries.length > 1200, `only ${queries.length} neighbour pairs checked`);
  });

  test('the classic-case table agrees with dpkg', { skip: NO_DPKG }, async () => {
    const queries = TABLE.filter(([a, , b]) => a.trim() === a && b.trim() === b).map(
      ([a, op, b]): [string, string, string] => [a, op === '<' ? 'lt' : op === '>' ? 'gt' : 'eq', b],
    );
    const answers = await dpkgConfirms(queries);
    assert.deepEqual(queries.filter((_, i) => !answers[i]), []);
  });
});

describe('debScheme classic cases', () => {
  for (const [a, op, b] of TABLE) {
    test(`${JSON.stringify(a)} ${op} ${JSON.stringify(b)}`, () => {
      const want = op === '<' ? -1 : op === '>' ? 1 : 0;
      assert.equal(cmp(a, b), want);
      assert.equal(cmp(b, a), want === 0 ? 0 : -want);
    });
  }

  test('returns exactly -1, 0 or 1', () => {
    assert.equal(debScheme.compare('1.0', '1.5'), -1);
    assert.equal(debScheme.compare('1:1.0', '1.0'), 1);
    assert.equal(debScheme.compare('1.0b', '1.0a'), 1);
  });
});

describe('debScheme invalid input', () => {
  // dpkg rejects each of these with an error (exit 2), so compare() must throw.
  const ERRORS = ['   ', '\t', '1.0 1', '1.0\t1', '1.0 \n', ':1.0', 'a:1.0', '1a:1.0', '-1:1.0', '1:', '1.0-', '1:1.0-', '-1',
    '2147483648:1.0', '99999999999999999999:1.0', '+:1.0', '1\n:1.0'];

  for (const v of ERRORS) {
    test(`throws BAD_PACKAGE_DB for ${JSON.stringify(v)}`, () => {
      assert.throws(
        () => debScheme.compare(v, '1.0'),
        (e: unknown) => e instanceof CavasError && e.code === 'BAD_PACKAGE_DB' && e.message.startsWith(`invalid deb version ${JSON.stringify(v)}: `) && !e.message.includes('\n'),
      );
      assert.throws(() => debScheme.compare('1.0', v), CavasError);
      assert.equal(debScheme.isValid(v), false);
    });
  }

  test('dpkg also rejects exactly those, and accepts the warning-only ones', { skip: NO_DPKG }, () => {
    assert.deepEqual(ERRORS.map(dpkgParseStatus), ERRORS.map(() => 2));
    const warnOnly = ['a1.0', '1.0_1', '1.0é', '1.0-1_1', '+1:1.0', '-0:1.0', '1.0 ', '1.0\n1', '\n1.0', '1.0\r', '\v', '\n1:1.0', '\r+1:1.0'];
    assert.deepEqual(warnOnly.map((v) => dpkgParseStatus(v) !== 2), warnOnly.map(() => true));
    for (const v of warnOnly) assert.doesNotThrow(() => debScheme.compare(v, '1.0'));
  });

  test('the empty string throws (dpkg\'s CLI would read it as "no version")', () => {
    assert.throws(() => debScheme.compare('', '1.0'), { code: 'BAD_PACKAGE_DB', message: 'invalid deb version "": version string is empty' });
  });

  test('error messages name dpkg\'s reason', () => {
    assert.throws(() => debScheme.compare('1.0-', '1'), { message: 'invalid deb version "1.0-": revision number is empty' });
    assert.throws(() => debScheme.compare('x:1', '1'), { message: 'invalid deb version "x:1": epoch in version is empty' });
    assert.throws(() => debScheme.compare('1x:1', '1'), { message: 'invalid deb version "1x:1": epoch in version is not number' });
    assert.throws(() => debScheme.compare('3000000000:1', '1'), { message: 'invalid deb version "3000000000:1": epoch in version is too big' });
  });
});

describe('debScheme.isValid (strict Policy 5.6.12)', () => {
  const VALID = ['0', '1.0', '1:1.0', '0:1.0-1', '1.0-1+deb12u1', '1.0~rc1-0.1', '1.0+dfsg-1~bpo11+1', '1:2:3-4', '1.0-1-1', '2147483647:1',
    '7.88.1-10+deb12u12', '22.01+really26.01+dfsg-0+deb12u1'];
  const INVALID = ['', 'a1.0', '~1', '1.0_1', '1.0é', '1.0-1_1', '1.0-1:1', '+1:1.0', '-0:1.0', ' 1.0', '1.0 ', '1.0-', ':1'];

  for (const v of VALID) test(`valid: ${JSON.stringify(v)}`, () => assert.equal(debScheme.isValid(v), true));
  for (const v of INVALID) test(`not valid: ${JSON.stringify(v)}`, () => assert.equal(debScheme.isValid(v), false));

  test('every version in the bookworm tracker is valid', () => {
    const bad = trackerVersions().filter((v) => !debScheme.isValid(v));
    assert.deepEqual(bad, []);
  });
});
