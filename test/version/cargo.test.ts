import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cargoScheme } from '../../src/version/cargo.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// SemVer 2.0.0 precedence as crates.io versions use it; the versions are from real crates and RustSec advisories.
const CHAINS = [
  '1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0',
  '0.0.1 < 0.0.2 < 0.1.0 < 0.1.10 < 0.2.0 < 0.9.0 < 0.10.0 < 0.11.0 < 1.0.0 < 1.0.1 < 1.1.0 < 2.0.0',
  '1.0.0-1 < 1.0.0-2 < 1.0.0-10 < 1.0.0-alpha < 1.0.0-alpha.0 < 1.0.0-alpha.0.0',
  '1.0.0-Z < 1.0.0-a < 1.0.0-a-b < 1.0.0-ab',
  '1.0.0 = 1.0.0+build = 1.0.0+build.5 = 1.0.0+20230101 < 1.0.1-alpha',
  '0.10.47 < 0.10.48 < 0.10.55 < 0.10.60',
  '1.18.4 < 1.20.4 < 1.25.0 < 1.28.2 < 1.29.1 < 1.38.2',
  '0.17.5 < 0.17.7 < 0.17.8',
  '1.0.0-beta.9 < 1.0.0-beta.10 < 1.0.0-rc.0',
  '0.3.0-alpha.6 < 0.3.0-beta.1 < 0.3.0',
  '1.0.99 < 1.0.100 < 1.0.197',
  '0.4.0-rc.1 < 0.4.0-rc.2 < 0.4.0 < 0.4.1-alpha.1 < 0.4.1',
  '2.0.0-pre.1 < 2.0.0-pre.1.1 < 2.0.0-pre.2 < 2.0.0-pre.10 < 2.0.0-pre.a',
  '0.9.23 < 0.9.24 < 0.9.99 < 0.10.0-beta < 0.10.0',
  '3.0.0-beta.1 < 3.0.0-beta.5 < 3.0.0-rc.1 < 3.0.0 < 3.1.0 < 3.2.25 < 4.0.0-rc.0',
  '1.0.0-alpha.beta < 1.0.0-alpha.beta.1 < 1.0.0-alpha.gamma < 1.0.0-alpha0 < 1.0.0-alpha1',
];

const TABLE: Case[] = [
  ['v1.2.3', '=', '1.2.3'],
  [' 1.2.3 ', '=', '1.2.3'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('cargoScheme', () => {
  test('orders every case by SemVer precedence', () => {
    assert.deepEqual(mismatches(cargoScheme, CASES), []);
    assert.ok(CASES.length > 200, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(cargoScheme, versionsOf(CASES));
  });

  test('what neither the semver crate nor node-semver reads is a USAGE error', () => {
    for (const v of ['', '1.2', '1', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3beta', '=1.2.3', '1.2.3.4', '1.2.3-', '*', '18446744073709551615.0.0']) {
      assert.throws(() => cargoScheme.compare(v, '1.0.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid cargo version'), JSON.stringify(v));
      assert.equal(cargoScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid is the semver crate grammar: no v, no blanks', () => {
    for (const v of ['1.2.3', '0.0.0', '1.0.0-alpha.1', '1.0.0-x-y-z.--', '1.0.0+001', '1.0.0-0.a+build.01']) assert.equal(cargoScheme.isValid(v), true, v);
    for (const v of ['v1.2.3', ' 1.2.3', '1.2.3 ', '1.0.0+', '1.0.0+a..b']) assert.equal(cargoScheme.isValid(v), false, v);
  });
});
