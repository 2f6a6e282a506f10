import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { composerScheme, normalizeComposer, phpVersionCompare } from '../../src/version/composer.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, mismatches, versionsOf, type Case } from './order-check.js';

// Composer's normalisation and version_compare order, with real Packagist versions.
const CHAINS = [
  '1.0.0-dev < 1.0.0-alpha < 1.0.0-alpha1 < 1.0.0-alpha2 < 1.0.0-beta < 1.0.0-beta1 < 1.0.0-beta10 < 1.0.0-RC1 < 1.0.0-RC2 < 1.0.0 < 1.0.0-patch1 < 1.0.0-patch2 < 1.0.0.1 < 1.0.1-dev < 1.0.1',
  '1.0.0-alpha1-dev < 1.0.0-alpha1 < 1.0.0-alpha1.1 < 1.0.0-alpha2-dev',
  '1.0-alpha = 1.0.0-a = 1.0.0.0-alpha = 1.0a = v1.0.0-ALPHA = 1.0.0-Alpha < 1.0.0-a1',
  '1.0.0-b2 = 1.0.0-beta2 = 1.0.0-beta.2 = 1.0.0beta2 = 1.0.0_beta2 = 1.0.0-BETA2 < 1.0.0-rc1 = 1.0.0-RC1 = 1.0.0.RC1 = 1.0.0-rc.1 = 1.0.0rc1',
  '1.0.0-pl1 = 1.0.0-p1 = 1.0.0-patch1 = 1.0.0.patch1 = 1.0.0pl1 < 1.0.0-patch2',
  '1.0.0 = 1.0.0-stable = 1.0.0-stable1 = 1.0.0@stable = 1.0.0@dev = 1.0.0+build.1 = v1.0.0 = V1.0.0 = 1 = 1.0 = 1.0.0.0 = 1.0.0 as 2.0.0 < 1.0.0.1',
  '1.0.0.0 < 1.0.0.1 < 1.0.0.10 < 1.0.1 < 1.0.10 < 1.1 < 1.10 < 2',
  '1.0.5 < 1.0.x-dev = 1.0.9999999.9999999-dev = 1.0.*-dev = 1.0.X-dev < 1.1.0 < 1.x-dev < 2.0.0-dev < 2.0.0',
  '0.1 < 0.9.9 < 0.10 < 1.0',
  '2010.01.01 < 2010-01-02 < 2010.01.02.5 < 2011 < 20100102 < 20100102-203040 < 20100102203040-10',
  '4.4.49 < 5.4.0-BETA1 < 5.4.0-RC1 < 5.4.0 < 5.4.46 < 6.0.0 < 6.4.14 < 7.1.7',
  'v8.83.27 < v9.52.16 < v10.48.22 < v11.31.0',
  '6.5.8 < 7.4.5 < 7.5.0 < 7.9.2',
  '2.0.0-RC1 < 2.0.0-RC5 < 2.0.0 < 2.0.15 < 2.2.0-alpha1 < 2.2.0',
  '1.2.3-beta.1 < 1.2.3-beta.2 < 1.2.3-beta.2.1 < 1.2.3-RC.1',
];

const TABLE: Case[] = [
  ['  1.0.0 ', '=', '1.0.0.0'],
  ['dev-main', '=', 'dev-main'],
  ['master', '=', 'dev-master'],
  ['dev-feature/foo', '=', 'DEV-feature/foo'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('composerScheme', () => {
  test('normalizes as VersionParser::normalize does', () => {
    const expected: Array<[string, string]> = [
      ['1.0.0', '1.0.0.0'],
      ['1.2.3.4', '1.2.3.4'],
      ['0', '0.0.0.0'],
      ['v1.0.0', '1.0.0.0'],
      ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
      ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
      ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
      ['1.0.0-rc1', '1.0.0.0-RC1'],
      ['1.0.0-pl3', '1.0.0.0-patch3'],
      ['1.0-dev', '1.0.0.0-dev'],
      ['10.4.13-beta', '10.4.13.0-beta'],
      ['10.4.13beta2', '10.4.13.0-beta2'],
      ['10.4.13beta.2', '10.4.13.0-beta2'],
      ['10.4.13-b', '10.4.13.0-beta'],
      ['10.4.13-b5', '10.4.13.0-beta5'],
      ['1.0.0-alpha3.1', '1.0.0.0-alpha3.1'],
      ['1.0-alpha.3', '1.0.0.0-alpha3'],
      ['1.0.0-STABLE', '1.0.0.0-stable'],
      ['1.0.0-stable', '1.0.0.0'],
      ['00.01.03.04', '00.01.03.04'],
      ['2010.01', '2010.01.0.0'],
      ['2010.01.02', '2010.01.02.0'],
      ['2010-01-02', '2010.01.02'],
      ['2010-01-02.5', '2010.01.02.5'],
      ['20100102-203040', '20100102.203040'],
      ['20100102203040-10', '20100102203040.10'],
      ['20100102-203040-p1', '20100102.203040-patch1'],
      ['100000.0', '100000.0'],
      ['dev-master', 'dev-master'],
      ['master', 'dev-master'],
      ['trunk', 'dev-trunk'],
      ['DEV-FOOBAR', 'dev-FOOBAR'],
      ['dev-feature/foo', 'dev-feature/foo'],
      ['1.x-dev', '1.9999999.9999999.9999999-dev'],
      ['2.1.x-dev', '2.1.9999999.9999999-dev'],
      ['v1.2-dev', '1.2.0.0-dev'],
      ['1.0.0+foo', '1.0.0.0'],
      ['1.0.0-rc1+foo', '1.0.0.0-RC1'],
      ['1.0.0+foo as 2.0', '1.0.0.0'],
      ['1.0.0@dev', '1.0.0.0'],
      [' 1.0.0 ', '1.0.0.0'],
    ];
    assert.deepEqual(expected.filter(([v, n]) => normalizeComposer(v) !== n).map(([v, n]) => `${v}: ${normalizeComposer(v)} != ${n}`), []);
  });

  test('orders every case as Composer does', () => {
    assert.deepEqual(mismatches(composerScheme, CASES), []);
    assert.ok(CASES.length > 300, `${CASES.length} cases`);
  });

  test('is a total order on all case versions but branches', () => {
    assertTotalOrder(composerScheme, versionsOf(CASES).filter((v) => !/^(dev-|master$)/i.test(v)));
  });

  test('php version_compare on raw strings', () => {
    const table: Case[] = [
      ['1.0', '<', '1.0.0'],
      ['1.0.0', '>', '1.0.0-dev'],
      ['1.0rc1', '>', '1.0beta2'],
      ['1.0-xyz', '<', '1.0-dev'],
      // PHP ranks a word by its prefix: anything starting with "a" is alpha, with "p" is patch.
      ['1.0-abc', '=', '1.0-alpha'],
      ['1.0-pre', '=', '1.0-patch'],
      ['1.0pl1', '>', '1.0'],
      ['1.0', '>', '1.0-alpha'],
      ['1.0.0-Rc1', '<', '1.0.0-dev'],
      ['', '<', '1'],
      ['', '=', ''],
    ];
    const wrong = table.filter(([a, op, b]) => Math.sign(phpVersionCompare(a, b)) !== (op === '<' ? -1 : op === '>' ? 1 : 0));
    assert.deepEqual(wrong, []);
  });

  test('a branch equals only itself; against anything else compare() throws USAGE', () => {
    for (const [a, b] of [['dev-main', '1.0.0'], ['1.0.0', 'dev-main'], ['dev-main', 'dev-master'], ['master', '9999999-dev'], ['dev-feature', '1.x-dev']]) {
      assert.throws(() => composerScheme.compare(a as string, b as string), (e) => e instanceof CavasError && e.code === 'USAGE' && /branch is not ordered/.test(e.message), `${a} vs ${b}`);
    }
  });

  test('what normalize() rejects is a USAGE error', () => {
    const invalid = ['', 'a', 'foo', '1.0.0-meh', '1.0.0.0.0', '1.0.0+foo bar', 'feature-foo', '1.0.0-SNAPSHOT', '1.x', '1.0 .2', '1.0.0-dev<1.0.5-dev', '1,0', '1.0.0-beta.', '1.0.0-alpha_1', 'va1.0', '1.0.0~rc1'];
    for (const v of invalid) {
      assert.throws(() => composerScheme.compare(v, '1.0'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message.startsWith('invalid composer version'), JSON.stringify(v));
      assert.throws(() => composerScheme.compare('1.0', v), { code: 'USAGE' });
      assert.equal(composerScheme.isValid(v), false, JSON.stringify(v));
    }
  });

  test('isValid accepts versions and branches Composer reads', () => {
    for (const v of ['1.0.0', 'v2.3', '1.0.0-RC1', '1.0.x-dev', 'dev-main', 'master', '20100102', '1.0.0+build']) assert.equal(composerScheme.isValid(v), true, v);
  });
});
