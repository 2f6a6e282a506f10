import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { compareVersions } from '../../src/version/index.js';
import { rpmvercmp } from '../../src/version/rpm.js';

const CASES = `1.0 1.0|1.0 2.0|2.0.1 2.0.1|2.0 2.0.1|2.0.1a 2.0.1|5.5p1 5.5p2|5.5p10 5.5p1|10xyz 10.1xyz|xyz10 xyz10.1|xyz.4 8|8 xyz.4
1.0~rc1 1.0|1.0~rc1 1.0~rc2|1.0~rc1~git123 1.0~rc1|1.0^ 1.0|1.0^git1 1.0|1.0^git1 1.0.1|1.0^git1~pre 1.0^git1|1.0 1.0^
1.0a 1.0.1|a b|1.01 1.1|1.010 1.1|2_0 2.0|1_2 1.0|3.0.7 3.0.1|el9_2 el9|el9_2 el9_10|6.el9_2 16.el9_2|module_el9.1.0+16+91bc168f module_el9.1.0+8+abc
2023c 2023d|5.1.8 5.1.16|7.76.1 7.76.1.0|1.0.0 1.0|0.9 0.10|4.2.0 4.2.0~beta|2.38 2.38.0^20230101`
  .split(/[|\n]/)
  .map((p) => p.trim().split(' ') as [string, string]);

it('rpmvercmp agrees with the real rpm on every case (both orders)', () => {
  const pairs = CASES.flatMap(([a, b]) => [[a, b], [b, a]] as const);
  const lua = pairs.map(([a, b]) => `print(rpm.vercmp("${a}","${b}")..",")`).join(' ');
  const want = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split(',').filter(Boolean).map(Number);
  assert.equal(want.length, pairs.length);
  pairs.forEach(([a, b], i) => assert.equal(Math.sign(rpmvercmp(a, b)) || 0, Math.sign(want[i]!) || 0, `${a} vs ${b}`));
});

it('EVR: epoch first, then version, then release', () => {
  assert.ok(compareVersions('rpm', '1:3.0.7-6.el9_2', '1:3.0.7-16.el9_2') < 0);
  assert.ok(compareVersions('rpm', '1:1.0-1', '2.0-1') > 0, 'epoch wins');
  assert.ok(compareVersions('rpm', '0:1.0-1', '1.0-1') === 0, 'missing epoch is 0');
  assert.ok(compareVersions('rpm', '7.76.1-19.el9', '7.76.1-23.el9') < 0);
  assert.ok(compareVersions('rpm', '1.0', '1.0-5') === 0, 'a side without release matches any release');
});
