import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEvr, rpmScheme, rpmvercmp } from '../../src/version/rpm.js';
import { CavasError } from '../../src/util/errors.js';
import { assertTotalOrder, chainCases, isInstalled, mismatches, sign, versionsOf, type Case } from './order-check.js';

const NO_RPM = isInstalled('rpm') ? false : 'rpm is not installed';

// rpmvercmp's rules, and EVRs as RHEL, Fedora, SUSE, Alma and Rocky ship them.
const CHAINS = [
  '0 < 1 < 1.0 < 1.0.0 < 1.0.1 < 1.1 < 1.9 < 1.10 < 2.0 < 10',
  '1.0~~ < 1.0~ < 1.0~rc1~git1 < 1.0~rc1 < 1.0~rc2 < 1.0 < 1.0^ < 1.0^git1~pre < 1.0^git1 < 1.0^git2 < 1.0.1',
  '1.0~rc1 < 1.0a < 1.0.1',
  '1.0^20230101 < 1.0a',
  'B < a < aa < ab < b',
  '1.A < 1.a < 1.0',
  '5.5p1 < 5.5p2 < 5.5p10 < 5.6',
  'xyz.4 < 8 < 10xyz < 10.1xyz',
  'xyz10 < xyz10.1 < xyz11',
  '1.01 = 1.1 = 1.001 = 1_1 = 1+1 = 1..1 < 1.2',
  '2.0 = 2_0 = 2.0. = 2.0é',
  'fc4 < fc5 < fc10',
  'el9 < el9_0 < el9_2 < el9_10',
  '18446744073709551615 < 18446744073709551616 < 99999999999999999999999',
  '1.0 < 1.0-~ < 1.0- < 1.0-0 < 1.0-1 < 1.0-1.el9 < 1.0-2 < 1.0-10 < 1.0.1-1',
  '2.0-1 < 1:1.0-1 < 1:1.0-2 < 2:0.1-1 < 10:0-0',
  '1.0-1 = 0:1.0-1 = :1.0-1 = 00:1.0-1',
  '1:3.0.7-6.el9_2 < 1:3.0.7-16.el9_2 < 1:3.0.7-16.el9_2.1 < 1:3.0.7-17.el9',
  '7.76.1-19.el9 < 7.76.1-23.el9 < 7.76.1-23.el9_2 < 7.76.1-23.el9_2.1 < 7.76.1-26.el9_3.2',
  '2.28-225.el8 < 2.28-225.el8_8.6 < 2.28-236.el8',
  '2.34-60.el9 < 2.34-60.el9_2.7 < 2.34-83.el9_3.7 < 2.34-83.el9.12',
  '1.14.1-1.module_el8.4.0+663+35e9a5c4 < 1.14.1-1.module_el8.6.0+1047+f2b5d8c4 < 1.14.1-2.module_el8.4.0+663+35e9a5c4',
  '4.18.0-477.10.1.el8_8 < 4.18.0-477.13.1.el8_8 < 4.18.0-513.5.1.el8_9',
  '5.14.0-284.11.1.el9_2 < 5.14.0-284.30.1.el9_2 < 5.14.0-362.8.1.el9_3',
  '3.0.7-25.el9_3.alma < 3.0.7-25.el9_3.alma.1 < 3.0.7-27.el9.alma',
  '1.1.1k-9.el8_7 < 1:1.1.1k-6.el8_5',
  '2.2.5-150400.3.3.1 < 2.2.5-150400.3.6.1 < 2.2.5-150500.1.1',
  '1.36.0-1.fc38 < 1.36.1-1.fc38 < 1.36.1-1.fc39',
  '2023c-1.el9 < 2023d-1.el9 < 2024a-1.el9',
  '0.9.9-1 < 0.10.0-1',
  '1.0.0~beta2-1 < 1.0.0~beta10-1 < 1.0.0~rc1-1 < 1.0.0-1',
];

const TABLE: Case[] = [
  ['1.0', '=', '1.0'],
  ['1.0a', '>', '1.0~'],
  ['2.0.1a', '>', '2.0.1'],
  ['2.0.1a', '<', '2.0.2'],
  ['1.0', '>', '1.0~rc1'],
  ['1.0-1', '<', '1.0.1'],
  ['4.2.0', '>', '4.2.0~beta'],
  ['2.38', '<', '2.38.0^20230101'],
  ['7.76.1', '<', '7.76.1.0'],
  ['1.0', '>', 'a:1.0'],
  ['1.0-1-1', '>', '1.0-1'],
  ['1.0-1-1', '>', '1.0-2'],
  ['1.0 ', '=', '1.0'],
  ['1.0', '<', '1.0 a'],
];

const CASES: Case[] = [...CHAINS.flatMap(chainCases), ...TABLE];

describe('rpmScheme', () => {
  test('orders every case as rpmvercmp and EVR comparison do', () => {
    assert.deepEqual(mismatches(rpmScheme, CASES), []);
    assert.ok(CASES.length > 250, `${CASES.length} cases`);
  });

  test('is a total order on all case versions', () => {
    assertTotalOrder(rpmScheme, versionsOf(CASES));
  });

  test('agrees with the real rpm on every pair of case versions', { skip: NO_RPM }, () => {
    // rpm.vercmp (rpm's Lua API) is rpmverCmp on two parsed EVRs; one rpm process answers every pair.
    const versions = versionsOf(CASES).filter((v) => !/[\t\n]/.test(v));
    const pairs: Array<[string, string]> = [];
    for (const a of versions) for (const b of versions) pairs.push([a, b]);
    const dir = mkdtempSync(path.join(tmpdir(), 'cavas-rpm-'));
    try {
      const file = path.join(dir, 'pairs.tsv');
      writeFileSync(file, pairs.map((p) => p.join('\t')).join('\n') + '\n');
      const lua = `for line in io.lines(${JSON.stringify(file)}) do local a, b = line:match('^(.-)\\t(.*)$'); print(rpm.vercmp(a, b) .. ',') end`;
      const out = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const answers = out.trim().split(',').filter((s) => s !== '').map(Number);
      assert.equal(answers.length, pairs.length);
      const bad = pairs
        .map(([a, b], i) => ({ a, b, rpm: sign(answers[i] as number), ours: sign(rpmScheme.compare(a, b)) }))
        .filter((r) => r.rpm !== r.ours)
        .slice(0, 20);
      assert.deepEqual(bad, []);
      assert.ok(pairs.length > 10000, `${pairs.length} pairs`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rpmvercmp on bare version strings', () => {
    assert.equal(rpmvercmp('1.0', '1.0'), 0);
    assert.equal(rpmvercmp('1.0', '1.0-1'), -1, 'no EVR split: "-" only separates');
    assert.equal(rpmvercmp('1:2', '2'), -1, 'no EVR split: 1, 2 against 2');
    assert.equal(rpmvercmp('', ''), 0);
    assert.equal(rpmvercmp('', '~'), 1);
    assert.equal(rpmvercmp('', '^'), -1);
  });

  test('parseEvr splits at the epoch colon and the last hyphen', () => {
    assert.deepEqual(parseEvr('1:3.0.7-16.el9_2'), { epoch: '1', version: '3.0.7', release: '16.el9_2' });
    assert.deepEqual(parseEvr('3.0.7'), { epoch: '0', version: '3.0.7' });
    assert.deepEqual(parseEvr(':1.0-1'), { epoch: '0', version: '1.0', release: '1' });
    assert.deepEqual(parseEvr('1.0-1-2'), { epoch: '0', version: '1.0-1', release: '2' });
    assert.deepEqual(parseEvr('a:1.0'), { epoch: '0', version: 'a:1.0' });
    assert.deepEqual(parseEvr('1:'), { epoch: '1', version: '' });
  });

  test('an empty EVR is a USAGE error; anything else compares', () => {
    assert.throws(() => rpmScheme.compare('', '1'), (e) => e instanceof CavasError && e.code === 'USAGE' && e.message === 'invalid rpm version "": empty');
    assert.throws(() => rpmScheme.compare('1', ''), { code: 'USAGE' });
    assert.equal(rpmScheme.compare('!!', '1'), -1);
  });

  test('isValid is what rpmbuild accepts in Version and Release', () => {
    for (const v of ['1.0', '1:1.0-1.el9', '1.0~rc1^git2+3_4', '0:0-0', '2023c-1.el9']) assert.equal(rpmScheme.isValid(v), true, v);
    for (const v of ['', '1.0-', '-1', ':1.0', 'a:1.0', '1.0 ', '1.0-1:2', '1.0/2', '1.0é']) assert.equal(rpmScheme.isValid(v), false, v);
  });
});
