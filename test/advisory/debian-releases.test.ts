import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { debianCodenameForMajor, debianMajorForCodename } from '../../src/advisory/debian-releases.js';

describe('debian releases', () => {
  const pairs: Array<[string, string]> = [
    ['buzz', '1.1'],
    ['hamm', '2.0'],
    ['slink', '2.1'],
    ['woody', '3.0'],
    ['etch', '4'],
    ['wheezy', '7'],
    ['jessie', '8'],
    ['stretch', '9'],
    ['buster', '10'],
    ['bullseye', '11'],
    ['bookworm', '12'],
    ['trixie', '13'],
    ['forky', '14'],
    ['duke', '15'],
  ];
  for (const [codename, major] of pairs) {
    test(`${codename} <-> ${major}`, () => {
      assert.equal(debianMajorForCodename(codename), major);
      assert.equal(debianCodenameForMajor(major), codename);
    });
  }

  test('codenames are matched case-insensitively', () => {
    assert.equal(debianMajorForCodename('Bookworm'), '12');
  });

  test('sid, experimental and unknown names have no number', () => {
    assert.equal(debianMajorForCodename('sid'), undefined);
    assert.equal(debianMajorForCodename('experimental'), undefined);
    assert.equal(debianMajorForCodename('bookworm-security'), undefined);
  });

  test('a point release maps to its major from etch on', () => {
    assert.equal(debianCodenameForMajor('12.5'), 'bookworm');
    assert.equal(debianCodenameForMajor('2.2'), 'potato');
    assert.equal(debianCodenameForMajor('99'), undefined);
    assert.equal(debianCodenameForMajor('unstable'), undefined);
  });
});
