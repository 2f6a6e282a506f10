import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apkScheme, compareVersions, debScheme, getScheme } from '../../src/version/index.js';
import { CavasError } from '../../src/util/errors.js';

const usage = (message: string) => (e: unknown) => e instanceof CavasError && e.code === 'USAGE' && e.message === message;

describe('version scheme registry', () => {
  test('getScheme returns the scheme of each supported ecosystem', () => {
    assert.equal(getScheme('deb'), debScheme);
    assert.equal(getScheme('apk'), apkScheme);
    assert.equal(getScheme('deb').ecosystem, 'deb');
    assert.equal(getScheme('apk').ecosystem, 'apk');
  });

  test('compareVersions dispatches to the ecosystem scheme', () => {
    // Each pair orders differently under the other scheme, so a wrong dispatch shows.
    assert.equal(compareVersions('deb', '1.0~rc1', '1.0'), -1);
    assert.equal(compareVersions('deb', '1:0.1', '2.0'), 1);
    assert.equal(compareVersions('deb', '1.0-0', '1.0'), 0);
    assert.equal(compareVersions('apk', '1.2.3_rc1-r0', '1.2.3-r0'), -1);
    assert.equal(compareVersions('apk', '1.0-r0', '1.0'), 1);
    assert.equal(compareVersions('apk', '1:0.1', '2.0'), -1);
    assert.equal(compareVersions('apk', '1.0-0', '1.0'), -1);
    assert.throws(() => compareVersions('apk', 'x1', '1'), { code: 'BAD_PACKAGE_DB' });
    assert.throws(() => compareVersions('deb', '1.0-', '1'), { code: 'BAD_PACKAGE_DB' });
  });

  test('an ecosystem without a scheme is a USAGE error', () => {
    assert.throws(() => getScheme('rpm'), usage('no version scheme for ecosystem "rpm"'));
    assert.throws(() => compareVersions('npm', '1.0.0', '1.0.1'), usage('no version scheme for ecosystem "npm"'));
  });

  test('an unknown ecosystem name is a USAGE error', () => {
    for (const name of ['debian', 'DEB', '', 'constructor', '__proto__', 'toString']) {
      assert.throws(() => compareVersions(name, '1', '2'), usage(`unknown ecosystem ${JSON.stringify(name)}`), name);
    }
  });
});
