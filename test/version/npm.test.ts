import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { npmScheme } from '../../src/version/npm.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// SemVer 2.0.0 section 11 and node-semver's loose reading, plus versions from real lockfiles and advisories.
const CHAINS = [
  '1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0',
  '1.0.0 < 2.0.0 < 2.1.0 < 2.1.1',
  '0.0.0 < 0.0.1 < 0.0.9 < 0.0.10 < 0.1.0 < 0.9.0 < 0.10.0 < 1.0.0 < 10.0.0',
  '1.0.0-1 < 1.0.0-2 < 1.0.0-10 < 1.0.0-a < 1.0.0-a.1 < 1.0.0-b',
  '1.0.0-alpha.1 < 1.0.0-alpha.1.1 < 1.0.0-alpha.2 < 1.0.0-alpha.10 < 1.0.0-alpha.a',
  '1.0.0-A < 1.0.0-Z < 1.0.0-a < 1.0.0-z',
  '1.0.0-- < 1.0.0--1 < 1.0.0-0-',
  '1.0.0-0 < 1.0.0-0.0 < 1.0.0-0.1 < 1.0.0-1',
  '1.0.0 = 1.0.0+build.1 = 1.0.0+build.2 = 1.0.0+0.3.7 = 1.0.0+exp.sha.5114f85 < 1.0.1-0',
  '1.0.0-beta+exp.sha.5114f85 = 1.0.0-beta < 1.0.0-beta.0',
  '4.17.4 < 4.17.11 < 4.17.15 < 4.17.19 < 4.17.20 < 4.17.21',
  '2.6.1 < 2.6.7 < 3.0.0-beta.1 < 3.0.0-rc.1 < 3.0.0',
  '0.21.1 < 0.21.2 < 0.21.4 < 1.0.0 < 1.6.0 < 1.6.4',
  '5.7.1 < 5.7.2 < 6.0.0-alpha.0 < 6.3.1 < 7.5.2 < 7.5.10',
  '1.2.3 = v1.2.3 = =1.2.3 = 01.2.3 = 1.02.3 = 1.2.03',
  '1.2.3alpha = 1.2.3-alpha < 1.2.3beta < 1.2.3',
  '18.0.0-rc.0 < 18.0.0-rc.3 < 18.0.0 < 18.2.0',
  '9007199254740990.0.0 < 9007199254740991.0.0',
];

const TABLE: Case[] = [
  [' 1.2.3 ', '=', '1.2.3'],
  ['\t1.2.3\n', '=', '1.2.3'],
  ['v 1.2.3', '=', '1.2.3'],
  ['=v1.2.3', '=', '1.2.3'],
  ['1.2.3-beta', '=', '1.2.3beta'],
  ['1.0.0-rc.1+build.1', '<', '1.0.0+build.0'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('npmScheme', () => {
  test('orders every case as node-semver (loose) does', () => {
    assert.deepEqual(mismatches(npmScheme, CASES), []);
    assert.ok(CASES.length > 200, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(npmScheme, versionsOf(CASES));
  });

  test('what npm rejects is a USAGE error', () => {
    for (const v of ['', '1.2', '1', 'latest', '1.2.3.4', '^1.2.3', '1.2.x', '1.2.3+', 'V1.2.3', '1.2.3-a..b', 'x1.2.3', '9007199254740992.0.0', `1.2.3-${'a'.repeat(300)}`]) {
      assert.throws(() => npmScheme.compare(v, '1.0.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid npm version'), JSON.stringify(v));
      assert.throws(() => npmScheme.compare('1.0.0', v), { code: 'USAGE' });
      assert.equal(npmScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid accepts what npm reads from package.json', () => {
    for (const v of ['1.2.3', 'v1.2.3', '=1.2.3', ' 1.2.3', '01.2.3', '1.2.3beta', '1.0.0-rc.1+build.5', '1.2.3-']) assert.equal(npmScheme.isValid(v), true, v);
  });
});
