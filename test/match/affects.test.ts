import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedPackage } from '../../src/advisory/model.js';
import { evaluateAffected, evaluateRange } from '../../src/match/affects.js';
import { getScheme } from '../../src/version/index.js';

const deb = getScheme('deb');
const apk = getScheme('apk');
const base: AffectedPackage = { ecosystem: 'deb', distro: 'debian:12', package: 'openssl', status: 'fixed' };

describe('evaluateAffected: distro statements', () => {
  it('fixed version: affected strictly below it, by Debian order (~ sorts first)', () => {
    const s = { ...base, fixedVersion: '3.0.11-1~deb12u2' };
    assert.deepEqual(evaluateAffected(s, '3.0.11-1~deb12u1', deb), { affected: true, fixedVersion: '3.0.11-1~deb12u2' });
    assert.deepEqual(evaluateAffected(s, '3.0.11-1~deb12u2', deb), { affected: false });
    assert.deepEqual(evaluateAffected(s, '3.0.11-1', deb), { affected: false });
    assert.deepEqual(evaluateAffected(s, '1:1.0', deb), { affected: false }, 'an epoch outranks any upstream version');
  });
  it('unfixed is affected without a fix; not_affected never is', () => {
    assert.deepEqual(evaluateAffected({ ...base, status: 'unfixed' }, '1.0', deb), { affected: true });
    assert.deepEqual(evaluateAffected({ ...base, status: 'not_affected' }, '1.0', deb), { affected: false });
  });
  it('apk fixed version uses apk rules (-rN revisions, _p suffixes)', () => {
    const s: AffectedPackage = { ecosystem: 'apk', distro: 'alpine:v3.16', package: 'busybox', status: 'fixed', fixedVersion: '1.35.0-r17' };
    assert.equal(evaluateAffected(s, '1.35.0-r16', apk).affected, true);
    assert.equal(evaluateAffected(s, '1.35.0-r17', apk).affected, false);
    assert.equal(evaluateAffected(s, '1.35.0_p1-r0', apk).affected, false);
  });
});

describe('evaluateRange: OSV semantics', () => {
  const range = (...events: object[]) => ({ type: 'ECOSYSTEM' as const, events });
  it('introduced 0 + fixed', () => {
    const r = range({ introduced: '0' }, { fixed: '2.36-9+deb12u3' });
    assert.deepEqual(evaluateRange(r, '2.36-9+deb12u1', deb), { affected: true, fixedVersion: '2.36-9+deb12u3' });
    assert.equal(evaluateRange(r, '2.36-9+deb12u3', deb).affected, false);
  });
  it('several introduced/fixed pairs, unsorted', () => {
    const r = range({ introduced: '2.0-1' }, { fixed: '2.5-1' }, { introduced: '1.0-1' }, { fixed: '1.5-1' });
    assert.equal(evaluateRange(r, '0.9-1', deb).affected, false);
    assert.deepEqual(evaluateRange(r, '1.2-1', deb), { affected: true, fixedVersion: '1.5-1' });
    assert.equal(evaluateRange(r, '1.7-1', deb).affected, false);
    assert.deepEqual(evaluateRange(r, '2.1-1', deb), { affected: true, fixedVersion: '2.5-1' });
    assert.equal(evaluateRange(r, '3.0-1', deb).affected, false);
  });
  it('last_affected is inclusive, and gives no fixed version', () => {
    const r = range({ introduced: '0' }, { last_affected: '1.5-1' });
    assert.deepEqual(evaluateRange(r, '1.5-1', deb), { affected: true });
    assert.equal(evaluateRange(r, '1.5-2', deb).affected, false);
  });
  it('limit cuts the range off', () => {
    const r = range({ introduced: '0' }, { limit: '2.0-1' });
    assert.equal(evaluateRange(r, '1.9-1', deb).affected, true);
    assert.equal(evaluateRange(r, '2.0-1', deb).affected, false);
  });
  it('explicit versions list', () => {
    const s: AffectedPackage = { ...base, versions: ['1.0-1', '1.0-2'] };
    assert.equal(evaluateAffected(s, '1.0-2', deb).affected, true);
    assert.equal(evaluateAffected(s, '1.0-3', deb).affected, false);
  });
});
