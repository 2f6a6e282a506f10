import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apkScheme,
  cargoScheme,
  compareVersions,
  composerScheme,
  debScheme,
  gemScheme,
  getScheme,
  goScheme,
  mavenScheme,
  npmScheme,
  nugetScheme,
  pypiScheme,
  rpmScheme,
} from '../../src/version/index.js';
import type { Ecosystem } from '../../src/types.js';
import { CavasError } from '../../src/util/errors.js';

const usage = (message: string) => (e: unknown) => e instanceof CavasError && e.code === 'USAGE' && e.message === message;

describe('version scheme registry', () => {
  test('getScheme returns the scheme of every ecosystem', () => {
    const expected: Record<Ecosystem, unknown> = {
      deb: debScheme,
      apk: apkScheme,
      rpm: rpmScheme,
      npm: npmScheme,
      pypi: pypiScheme,
      maven: mavenScheme,
      go: goScheme,
      gem: gemScheme,
      nuget: nugetScheme,
      composer: composerScheme,
      cargo: cargoScheme,
    };
    for (const [eco, scheme] of Object.entries(expected)) {
      assert.equal(getScheme(eco as Ecosystem), scheme, eco);
      assert.equal(getScheme(eco as Ecosystem).ecosystem, eco);
    }
  });

  test('compareVersions dispatches to the ecosystem scheme', () => {
    // Each pair orders differently under some other scheme, so a wrong dispatch shows.
    const cases: Array<[string, string, string, number]> = [
      ['deb', '1.0~rc1', '1.0', -1],
      ['deb', '1:0.1', '2.0', 1],
      ['deb', '1.0-0', '1.0', 0],
      ['apk', '1.2.3_rc1-r0', '1.2.3-r0', -1],
      ['apk', '1.0-r0', '1.0', 1],
      ['apk', '1:0.1', '2.0', -1],
      ['rpm', '1.0^git1', '1.0', 1],
      ['rpm', '1:0.1-1', '2.0-1', 1],
      ['npm', '1.0.0-rc.1', '1.0.0', -1],
      ['npm', 'v1.2.3', '1.2.3', 0],
      ['cargo', '0.9.0', '0.10.0', -1],
      ['pypi', '1.0.post1', '1.0', 1],
      ['pypi', '1!0.1', '2.0', 1],
      ['maven', '1.0-SNAPSHOT', '1.0', -1],
      ['maven', '1.0-sp1', '1.0', 1],
      ['go', 'v2.0.0+incompatible', 'v2.0.0', 0],
      ['go', 'go1.21rc2', '1.21.0', -1],
      ['gem', '1.0.a', '1.0', -1],
      ['nuget', '1.0.0-BETA', '1.0.0-beta', 0],
      ['nuget', '1.0.0.1', '1.0.0', 1],
      ['composer', '1.0.0-patch1', '1.0.0', 1],
      ['composer', 'v1.0', '1.0.0.0', 0],
    ];
    for (const [eco, a, b, want] of cases) assert.equal(Math.sign(compareVersions(eco, a, b)), want, `${eco}: ${a} vs ${b}`);
    assert.throws(() => compareVersions('apk', 'x1', '1'), { code: 'BAD_PACKAGE_DB' });
    assert.throws(() => compareVersions('deb', '1.0-', '1'), { code: 'BAD_PACKAGE_DB' });
    assert.throws(() => compareVersions('npm', 'latest', '1.0.0'), usage('invalid npm version "latest": not a semantic version'));
  });

  test('an unknown ecosystem name is a USAGE error', () => {
    for (const name of ['debian', 'DEB', '', 'constructor', '__proto__', 'toString', 'hex']) {
      assert.throws(() => compareVersions(name, '1', '2'), usage(`unknown ecosystem ${JSON.stringify(name)}`), name);
      assert.throws(() => getScheme(name as Ecosystem), usage(`no version scheme for ecosystem ${JSON.stringify(name)}`), name);
    }
  });
});
