import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pypiScheme } from '../../src/version/pypi.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, isInstalled, mismatches, versionsOf, type Case } from './order-check.js';

const NO_PYTHON = isInstalled('python3') ? false : 'python3 is not installed';

// PEP 440's ordering and normalisation rules; real versions from PyPI advisories.
const CHAINS = [
  '1.0.dev456 < 1.0a1 < 1.0a2.dev456 < 1.0a12.dev456 < 1.0a12 < 1.0b1.dev456 < 1.0b2 < 1.0b2.post345.dev456 < 1.0b2.post345 < 1.0rc1.dev456 < 1.0rc1 < 1.0 < 1.0+abc.5 < 1.0+abc.7 < 1.0+5 < 1.0.post456.dev34 < 1.0.post456 < 1.0.15 < 1.1.dev1',
  '1.0a1 = 1.0alpha1 = 1.0-a1 = 1.0_a.1 = 1.0.a1 = 1.0A1 = 1.0a01 < 1.0a2',
  '1.0b1 = 1.0beta1 = 1.0-beta-1 = 1.0.B1 < 1.0c1 = 1.0rc1 = 1.0pre1 = 1.0preview1 = 1.0-RC-1 < 1.0rc2',
  '1.0 < 1.0-1 = 1.0.post1 = 1.0post1 = 1.0-r1 = 1.0rev1 = 1.0.post.1 = 1.0_post_1 < 1.0.post2',
  '1.0.post = 1.0.post0 = 1.0-post0 = 1.0r < 1.0.post1',
  '1.0.dev = 1.0.dev0 = 1.0-dev0 = 1.0dev = 1.0.DEV0 < 1.0.dev1 < 1.0a0',
  '1.0 = 1.0.0 = 1.00 = 1.0.0.0 = v1.0 = V1.0 = 1 = 0!1.0 < 1.0.0.1 < 1.0.1',
  '2.0 < 1!0.1 < 1!1.0 < 2!0.0.1',
  '1.0+0x1 < 1.0+1e3 < 1.0+abc < 1.0+abc.def < 1.0+ABC.ghi < 1.0+1 < 1.0+1.abc < 1.0+1.1 < 1.0+2 < 1.0+10',
  '1.0+ubuntu-1 = 1.0+ubuntu.1 = 1.0+ubuntu_1 = 1.0+UBUNTU.1 < 1.0+ubuntu.2',
  '1.0+1 = 1.0+01 = 1.0+001 < 1.0+1.0',
  '0.9 < 0.10 < 0.99 < 0.100 < 1.0',
  '1.99999999999999998 < 1.99999999999999999 < 2.0',
  '1.0a1.post1 < 1.0a1.post2 < 1.0a2.dev0 < 1.0a2',
  '1.0rc1.post1.dev1 < 1.0rc1.post1 < 1.0rc2.dev0 < 1.0rc2',
  '2.19.1 < 2.20.0 < 2.31.0 < 2.32.0 < 2.32.4',
  '1.26.4 < 1.26.17 < 1.26.18 < 2.0.0a1 < 2.0.0 < 2.0.7 < 2.2.2',
  '3.0.0 < 3.0.10 < 3.1.0 < 3.1.6 < 3.2.1 < 4.2.18 < 4.2.20',
  '41.0.0 < 41.0.4 < 41.0.6 < 42.0.0 < 43.0.1',
  '9.0.0 < 9.2.0 < 9.5.0 < 10.0.0 < 10.0.1 < 10.3.0',
  '2.0.0rc1 < 2.0.0rc2 < 2.0.0 < 2.0.1 < 2.1.0',
  '2023.7.22 < 2024.2.2 < 2024.7.4',
];

const TABLE: Case[] = [
  [' 1.0 ', '=', '1.0'],
  ['\t1.0\n', '=', '1.0'],
  // packaging strips whatever Python's str.isspace() calls whitespace
  ['\u00a01.0', '=', '1.0'],
  ['\x1c1.0\u2003', '=', '1.0'],
  ['\u30001.0.post1\x85', '=', '1.0.post1'],
  ['1.0', '<', '1.0+0'],
  ['1.0.post0', '>', '1.0'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

// Not PEP 440: legacy setuptools versions, stray characters, malformed segments.
const INVALID = ['', ' ', 'abc', '1.0+', '1.0+abc-', '1.0+abc..def', '1..0', '1.0.', '.1.0', '1.0-', '1.0a1b2', '1.0.post1.post2', '1.0-dev-1-1', 'French Toast', '1.0 2', '1.0_', '1!', '!1.0', '1.0+ab cd', '2.0b1pl0', '1.0-alpha_1_', 'vv1.0', '1.0+é', '١.٠', '\ufeff1.0', '1.0+\u212a'];

/** Versions built to hit every key field: release, epochs, pre/post/dev in every spelling, local labels. */
function syntheticVersions(): string[] {
  const releases = ['0', '0.0', '1', '1.0', '1.0.0', '1.0.1', '1.1', '01.2', '1.10', '2!1.0', '1!0.9'];
  const pres = ['', 'a', 'a1', 'alpha2', '.b1', '-beta-3', 'c1', 'rc', 'rc2', '_pre4', 'preview5'];
  const posts = ['', '-1', '.post', '.post2', 'rev3', '-r4', '.post-5'];
  const devs = ['', '.dev', '.dev1', '-dev2', 'dev3'];
  const locals = ['', '+local', '+1', '+local.1', '+1.local', '+0x1', '+a-b_c.3'];
  const out: string[] = [];
  let k = 0;
  for (const r of releases) {
    for (const p of pres) {
      k++;
      out.push(`${r}${p}${posts[k % posts.length] as string}${devs[(k * 3) % devs.length] as string}${locals[(k * 2) % locals.length] as string}`);
    }
  }
  return out;
}

/** packaging's Version, run once: for each string, its rank in packaging's order, or null where it is invalid. */
function packagingRanks(versions: string[]): Array<number | null> {
  const script = `
import json, sys
try:
    from packaging.version import Version, InvalidVersion
except ImportError:
    from pip._vendor.packaging.version import Version, InvalidVersion
vs = json.load(sys.stdin)
parsed = []
for v in vs:
    try:
        parsed.append(Version(v))
    except InvalidVersion:
        parsed.append(None)
ordered = sorted(set(p for p in parsed if p is not None))
rank = {p: i for i, p in enumerate(ordered)}
print(json.dumps([None if p is None else rank[p] for p in parsed]))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(versions), encoding: 'utf8' })) as Array<number | null>;
}

describe('pypiScheme', () => {
  test('orders every case as PEP 440 says', () => {
    assert.deepEqual(mismatches(pypiScheme, CASES), []);
    assert.ok(CASES.length > 400, `${CASES.length} cases`);
  });

  test('is a total order on case and built versions', () => {
    assertTotalOrder(pypiScheme, [...versionsOf(CASES), ...syntheticVersions()]);
  });

  test('agrees with the packaging reference implementation on order and validity', { skip: NO_PYTHON }, () => {
    const versions = [...new Set([...versionsOf(CASES), ...syntheticVersions(), ...INVALID])];
    const ranks = packagingRanks(versions);
    const validity = versions.filter((v, i) => pypiScheme.isValid(v) !== (ranks[i] !== null));
    assert.deepEqual(validity, [], 'isValid disagrees with packaging');
    // Dense ranks in our order equal packaging's: with the total-order test above, every pair agrees.
    const valid = versions.filter((_, i) => ranks[i] !== null);
    const ours = new Map<string, number>();
    const sorted = [...valid].sort((a, b) => pypiScheme.compare(a, b));
    sorted.forEach((v, i) => ours.set(v, i === 0 ? 0 : (ours.get(sorted[i - 1] as string) as number) + (pypiScheme.compare(sorted[i - 1] as string, v) === 0 ? 0 : 1)));
    const bad = versions.filter((v, i) => ranks[i] !== null && ours.get(v) !== ranks[i]);
    assert.deepEqual(bad.slice(0, 20), []);
    assert.ok(valid.length > 200, `${valid.length} valid versions`);
  });

  test('what packaging rejects is a USAGE error', () => {
    for (const v of INVALID) {
      assert.throws(() => pypiScheme.compare(v, '1.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid pypi version'), JSON.stringify(v));
      assert.throws(() => pypiScheme.compare('1.0', v), { code: 'USAGE' });
      assert.equal(pypiScheme.isValid(v), false, JSON.stringify(v));
    }
  });
});
