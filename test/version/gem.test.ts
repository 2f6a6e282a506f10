import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gemScheme } from '../../src/version/gem.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// Gem::Version's rules and real versions from rubygems.org advisories.
const CHAINS = [
  '0.9 < 1.0 < 1.0.1 < 1.1 < 1.9 < 1.10 < 2 < 10',
  '1 = 1.0 = 1.0.0 = 1.00 = 01 = 1.0.0.0 < 1.0.0.1 < 1.0.1',
  '1.0.a < 1.0.a1 < 1.0.a2 < 1.0.a10 < 1.0.b1 < 1.0.pre < 1.0.rc1 < 1.0 < 1.0.0.1',
  '1.a = 1.a.0 = 1.0.a = 1.0.a.0 < 1.a.1 < 1.a.2 < 1.b',
  '1.0b1 = 1.0.b1 = 1.0.b.1 < 1.0b2 < 1.0',
  '1.B < 1.Z < 1.a < 1.z < 1',
  '1.a < 1.aa < 1.ab < 1.b',
  '1.0.0-rc1 = 1.0.0.pre.rc1 < 1.0.0-1 = 1.0.0.pre.1 < 1.0.0.rc1 < 1.0.0',
  '2.0.0-rc.1 < 2.0.0-rc.2 < 2.0.0',
  '1.8.2.a9 < 1.8.2.a10 < 1.8.2.b0 < 1.8.2',
  '7.0.4 < 7.0.4.1 < 7.0.4.2 < 7.0.4.3 < 7.0.5 < 7.0.8.1 < 7.1.0.beta1 < 7.1.0.rc1 < 7.1.0 < 7.1.3.4',
  '6.1.7.6 < 6.1.7.7 < 6.1.7.10 < 7.0.0.alpha1 < 7.0.0.alpha2 < 7.0.0.rc1 < 7.0.0',
  '1.13.10 < 1.14.3 < 1.15.4 < 1.15.6 < 1.16.2 < 1.16.5',
  '1.13.10-x86-64 = 1.13.10.pre.x.86.pre.64 < 1.13.10',
  '2.2.6.4 < 2.2.8 < 2.2.8.1 < 3.0.0.beta1 < 3.0.0',
  '3.1.0.pre1 < 3.1.0.pre2 < 3.1.0 < 3.1.1',
  '0.0.1 < 0.1 < 0.1.0.1 < 0.2',
  '1.99999999999999999998 < 1.99999999999999999999 < 2',
  '4.2.11.1 < 4.2.11.3 < 5.0.0.beta1 < 5.0.0.racecar1 < 5.0.0.rc1',
];

const TABLE: Case[] = [
  ['', '=', '0'],
  [' ', '=', '0'],
  ['  1.0\n', '=', '1.0'],
  ['\t1.0.a ', '=', '1.0.a'],
  ['0', '<', '0.0.1'],
  ['1.0.a', '<', '1'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('gemScheme', () => {
  test('orders every case as Gem::Version does', () => {
    assert.deepEqual(mismatches(gemScheme, CASES), []);
    assert.ok(CASES.length > 250, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(gemScheme, versionsOf(CASES));
  });

  test('what Gem::Version rejects is a USAGE error', () => {
    for (const v of ['1.0.', '.1', 'a', 'a1', '1..0', '1.0 1', '1.0-', '1.0-.1', '1.0+1', 'junk', '1.0_1', '1,0', 'v1.0', '-1', '1.0.é', '1.0\u00a0', '1.0-x86_64']) {
      assert.throws(() => gemScheme.compare(v, '1.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid gem version'), JSON.stringify(v));
      assert.throws(() => gemScheme.compare('1.0', v), { code: 'USAGE' });
      assert.equal(gemScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid is Gem::Version.correct? less the blank string', () => {
    for (const v of ['1', '1.0.a', '1.0.0-rc1', '1.0-x86-64', ' 1.0 ', '1.0b1']) assert.equal(gemScheme.isValid(v), true, v);
    for (const v of ['', ' ']) assert.equal(gemScheme.isValid(v), false, JSON.stringify(v));
  });
});
