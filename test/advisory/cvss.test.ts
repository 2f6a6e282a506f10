import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cvssBaseScore } from '../../src/advisory/cvss.js';

describe('cvssBaseScore', () => {
  // Scores as published by FIRST's calculators / NVD / GitHub for these vectors.
  const known: Array<[string, number, string]> = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, '3.1'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, '3.1'],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', 3.7, '3.1'], // CVE-2011-3374 (apt)
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, '3.1'], // CVE-2024-37890 (ws)
    ['CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, '3.0'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, '4.0'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, '4.0'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', 8.7, '4.0'], // CVE-2024-37890 (ws)
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, '2.0'],
  ];
  for (const [vector, score, version] of known) {
    test(`${vector} = ${score}`, () => {
      assert.deepEqual(cvssBaseScore(vector), { score, version });
    });
  }

  test('temporal and threat metrics do not change the base score', () => {
    // Spring4Shell as GHSA writes it (E:H); NVD base score 9.8.
    assert.deepEqual(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:H'), { score: 9.8, version: '3.1' });
    // E:U lowers the CVSS-BT score to 8.1; the base (CVSS-B) score stays 9.3.
    assert.deepEqual(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U'), {
      score: 9.3,
      version: '4.0',
    });
  });

  test('surrounding whitespace is ignored', () => {
    assert.equal(cvssBaseScore('  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n')?.score, 9.8);
  });

  for (const bad of [
    '',
    'garbage',
    'CVSS:3.1/AV:N', // incomplete base
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // X is not a base value
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/FOO:1', // unknown metric
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SN:N/SA:N', // SN is not a metric
    'CVSS:9.9/AV:N',
  ]) {
    test(`invalid vector ${JSON.stringify(bad)} -> undefined`, () => {
      assert.equal(cvssBaseScore(bad), undefined);
    });
  }
});
