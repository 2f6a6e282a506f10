import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nugetScheme } from '../../src/version/nuget.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// NuGet.Versioning's parse and VersionComparer.Default, with real versions from nuget.org advisories.
const CHAINS = [
  '0.9.0 < 1.0.0 < 1.0.1 < 1.1.0 < 1.9.0 < 1.10.0 < 2.0.0 < 10.0.0',
  '1 = 1.0 = 1.0.0 = 1.0.0.0 = 01.0 = 1.00.000 = 0001.0.0.0 < 1.0.0.1 < 1.0.1',
  '4.0.0.0 < 4.0.0.1 < 4.0.0.10 < 4.0.1 < 4.1 < 4.1.0.1',
  '1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0',
  '1.0.0-BETA = 1.0.0-beta = 1.0.0-Beta < 1.0.0-beta.1 = 1.0.0-BETA.1 < 1.0.0-RC = 1.0.0-rc',
  '1.0.0-beta01 < 1.0.0-beta02 < 1.0.0-beta10 < 1.0.0-beta2 < 1.0.0-beta9',
  '1.0.0-1 < 1.0.0-2 < 1.0.0-10 < 1.0.0-2147483647 < 1.0.0-10000000000 < 1.0.0-2147483648 < 1.0.0-a',
  '1.0.0-a < 1.0.0-a.b < 1.0.0-a-b < 1.0.0-ab',
  '1.0.0 = 1.0.0+abc = 1.0.0+XYZ.1 = 1.0.0+0.01 < 1.0.1-rc',
  '1.0.0-rc.1 = 1.0.0-rc.1+build.5 = 1.0.0-RC.1+other < 1.0.0-rc.2',
  '1.0.0.1-beta < 1.0.0.1 < 1.0.1-alpha',
  '12.0.3 < 13.0.1 < 13.0.2 < 13.0.3',
  '6.0.0 < 6.0.10 < 7.0.0 < 8.0.0-preview.1.23110.8 < 8.0.0-preview.7.23375.6 < 8.0.0-rc.1.23419.4 < 8.0.0-rc.2.23479.6 < 8.0.0 < 8.0.4',
  '2.0.8 < 2.0.10 < 2.0.15 < 2.0.17',
  '4.3.0 < 4.3.1 < 4.3.4 < 4.5.0',
  '5.0.0-rc1-final < 5.0.0-rc2 < 5.0.0',
  '2.1.0-preview1-final < 2.1.0-preview2-final < 2.1.0-rc1-final < 2.1.0 < 2.1.1',
  '3.1.0 < 3.1.32 < 6.0.0-preview.4.21253.7 < 6.0.0',
];

const TABLE: Case[] = [
  [' 1.0 ', '=', '1.0.0'],
  ['\t1.0.0-beta\n', '=', '1.0.0-BETA'],
  ['2147483647.0', '>', '2147483646.9.9.9'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('nugetScheme', () => {
  test('orders every case as NuGet.Versioning does', () => {
    assert.deepEqual(mismatches(nugetScheme, CASES), []);
    assert.ok(CASES.length > 250, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(nugetScheme, versionsOf(CASES));
  });

  test('what NuGetVersion.TryParse rejects is a USAGE error', () => {
    const invalid = ['', ' ', '1.0.0.0.0', 'a', 'a.b', '1.', '.1', '1..0', '1.0.0-', '1.0.0+', '1.0.0-beta+', '1.0.0-01', '1.0.0-beta.01', '1.0.0-a..b', '1.0.0-a_b', '1.0.0-.a', '2147483648.0', '1.2147483648', '-1.0', 'v1.0', '1.0 beta', '1.0.0+a..b', '1.0.0+a_b', '1.0-é', '1.0.0-beta+a+b'];
    for (const v of invalid) {
      assert.throws(() => nugetScheme.compare(v, '1.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid nuget version'), JSON.stringify(v));
      assert.throws(() => nugetScheme.compare('1.0', v), { code: 'USAGE' });
      assert.equal(nugetScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid accepts NuGet versions in every legal spelling', () => {
    for (const v of ['1', '1.0', '1.0.0', '1.0.0.0', '01.02', '1.0.0-beta01', '1.0.0-rc.1+build.5', '1.0.0+01', ' 1.0 ', '1.0.0-0', '1.0.0--1']) assert.equal(nugetScheme.isValid(v), true, v);
  });
});
