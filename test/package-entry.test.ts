/** The published entry point: `import { compareVersions } from 'cavas'` (package self-reference via "exports"). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareVersions, scan, CavasError } from 'cavas';

it('exports compareVersions for deb and apk, and the scan API', () => {
  assert.ok(compareVersions('deb', '1:1.0-1', '2.0-1') > 0, 'epoch wins');
  assert.ok(compareVersions('deb', '1.0~rc1-1', '1.0-1') < 0, 'tilde sorts before the release');
  assert.equal(compareVersions('deb', '1.0-1', '1.0-1'), 0);
  assert.ok(compareVersions('apk', '1.2.3_rc1-r0', '1.2.3-r0') < 0);
  assert.ok(compareVersions('apk', '1.2.3-r10', '1.2.3-r9') > 0);
  assert.ok(compareVersions('apk', '1.2.3_p1-r0', '1.2.3-r5') > 0);
  assert.throws(() => compareVersions('nope', '1', '2'), CavasError);
  assert.equal(typeof scan, 'function');
});
