import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownVendorSeverity, normaliseVendorSeverity, severityFromScore } from '../../src/advisory/severity.js';

describe('normaliseVendorSeverity', () => {
  const cases: Array<[string | undefined, string]> = [
    // Debian tracker urgencies, including the unreviewed '*' marks seen in real data.
    ['unimportant', 'NEGLIGIBLE'],
    ['low', 'LOW'],
    ['low**', 'LOW'],
    ['medium', 'MEDIUM'],
    ['medium*', 'MEDIUM'],
    ['high', 'HIGH'],
    ['high**', 'HIGH'],
    ['not yet assigned', 'UNKNOWN'],
    ['end-of-life', 'UNKNOWN'],
    // GHSA database_specific.severity words.
    ['LOW', 'LOW'],
    ['MODERATE', 'MEDIUM'],
    ['HIGH', 'HIGH'],
    ['CRITICAL', 'CRITICAL'],
    ['something new', 'UNKNOWN'],
    ['', 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(normaliseVendorSeverity(input), expected));
  }

  test('isKnownVendorSeverity tells known "no severity" words from new ones', () => {
    assert.equal(isKnownVendorSeverity('not yet assigned'), true);
    assert.equal(isKnownVendorSeverity('high**'), true);
    assert.equal(isKnownVendorSeverity('MODERATE'), true);
    assert.equal(isKnownVendorSeverity('severe'), false);
  });
});

describe('severityFromScore', () => {
  const cases: Array<[number, string]> = [
    [10, 'CRITICAL'],
    [9, 'CRITICAL'],
    [8.9, 'HIGH'],
    [7, 'HIGH'],
    [6.9, 'MEDIUM'],
    [4, 'MEDIUM'],
    [3.9, 'LOW'],
    [0.1, 'LOW'],
    [0, 'NEGLIGIBLE'],
    [Number.NaN, 'UNKNOWN'],
    [-1, 'UNKNOWN'],
  ];
  for (const [score, expected] of cases) {
    test(`${score} -> ${expected}`, () => assert.equal(severityFromScore(score), expected));
  }
});
