import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goScheme } from '../../src/version/go.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// x/mod/semver's rules, in go.mod, OSV and toolchain spellings; pseudo-versions as the go command makes them.
const CHAINS = [
  'v0.0.0 < v0.0.1 < v0.1.0 < v0.9.0 < v0.10.0 < v1.0.0-alpha < v1.0.0-alpha.1 < v1.0.0-alpha.beta < v1.0.0-beta < v1.0.0-beta.2 < v1.0.0-beta.11 < v1.0.0-rc.1 < v1.0.0 < v1.2.3 < v1.10.0 < v2.0.0',
  'v1 = v1.0 = v1.0.0 = 1 = 1.0 = 1.0.0 = v1.0.0+meta < v1.2 = v1.2.0 = 1.2 < v1.2.1',
  'v1.0.0-1 < v1.0.0-2 < v1.0.0-10 < v1.0.0-a < v1.0.0-a.0 < v1.0.0-b',
  'v1.0.0-A < v1.0.0-Z < v1.0.0-a < v1.0.0-x-y < v1.0.0-xy',
  'v2.0.0 = v2.0.0+incompatible = 2.0.0+incompatible < v2.0.1+incompatible < v3.0.0+incompatible',
  'v0.0.0-20190101000000-abcdefabcdef < v0.0.0-20191109021931-daa7c04131f5 < v0.0.0-20210101000000-123456789abc < v0.1.0-alpha < v0.1.0',
  'v1.2.3 < v1.2.4-0.20191109021931-daa7c04131f5 < v1.2.4-0.20200101000000-abcdefabcdef < v1.2.4-pre < v1.2.4-pre.0.20191109021931-daa7c04131f5 < v1.2.4-pre.1 < v1.2.4',
  'v0.0.0-20220722155237-a158d28d115b < v0.1.0 < v0.3.7 < v0.3.8 < v0.14.0 < v0.17.0 < v0.23.0',
  '1.16.0-0 < 1.16.0 < 1.16.14 < 1.17.0-0 < 1.17.7',
  'v1.4.0 < v1.4.1 < v1.5.0 < v1.8.0 < v1.9.1 < v1.10.0',
  'v4.4.2+incompatible < v4.5.2+incompatible < v5.0.0',
  'go1 = v1.0.0 < go1.0.1 < go1.9beta1 < go1.9beta2 < go1.9rc1 < go1.9 = v1.9.0 < go1.9.1',
  'go1.19.8 = v1.19.8 = 1.19.8 < go1.19.10 < go1.20rc1 < go1.20rc3 < go1.20 = go1.20.0 < go1.20.1',
  'go1.21rc2 = v1.21.0-rc.2 < go1.21rc10 < go1.21.0 = 1.21.0 < go1.21.13 < go1.22.0',
  'go1.9beta1 < go1.9-pre1 = v1.9.0-pre.1 < go1.9rc1',
  'v99999999999999999999.0.0 < v100000000000000000000.0.0 < v100000000000000000000.0.1',
  'v1.0.0-99999999999999999999 < v1.0.0-100000000000000000000 < v1.0.0-a',
];

const TABLE: Case[] = [
  ['go1.19.8 X:boringcrypto', '=', 'v1.19.8'],
  ['go1.22.1\tX:nocoverageredesign', '=', '1.22.1'],
  ['v1.0.0+a', '=', 'v1.0.0+b'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('goScheme', () => {
  test('orders every case as x/mod/semver does', () => {
    assert.deepEqual(mismatches(goScheme, CASES), []);
    assert.ok(CASES.length > 300, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(goScheme, versionsOf(CASES));
  });

  test('what x/mod/semver and govulncheck reject is a USAGE error', () => {
    const invalid = ['', 'v', 'vv1.0.0', 'V1.2.3', 'v1.2-pre', 'v1-pre', 'v1.2+meta', 'v1.2.3.4', 'v01.2.3', 'v1.02.3', 'v1.2.03', 'v1.2.3-01', 'v1.2.3-', 'v1.2.3+', 'v1.2.3-a..b', 'v1.2.3-a_b', ' v1.2.3', 'v1.2.3 ', 'latest', 'go1.0', 'go1.x', 'go2', 'gopher', 'devel +abc123', 'go1.21alpha1', 'go1.21.0.1', '1.2.3-é'];
    for (const v of invalid) {
      assert.throws(() => goScheme.compare(v, 'v1.0.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid go version'), JSON.stringify(v));
      assert.throws(() => goScheme.compare('v1.0.0', v), { code: 'USAGE' });
      assert.equal(goScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid accepts every spelling compare() reads', () => {
    for (const v of ['v1.2.3', '1.2.3', 'v1', 'v1.2', 'v0.0.0-20191109021931-daa7c04131f5', 'v2.0.0+incompatible', 'go1.21rc2', 'go1.19.8', 'go1']) assert.equal(goScheme.isValid(v), true, v);
  });
});
