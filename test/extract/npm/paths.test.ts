import assert from 'node:assert/strict';
import { it } from 'node:test';
import { installedLocation, lockLocation } from '../../../src/extract/npm/paths.js';

it('installed package.json: only at node_modules/<name> or node_modules/@scope/<name>, nested through node_modules', () => {
  assert.deepEqual(installedLocation('app/node_modules/express/package.json'), { root: 'app', dir: 'app/node_modules/express' });
  assert.deepEqual(installedLocation('node_modules/@types/node/package.json'), { root: '', dir: 'node_modules/@types/node' });
  assert.deepEqual(installedLocation('app/node_modules/a/node_modules/@s/b/node_modules/c/package.json'), {
    root: 'app',
    dir: 'app/node_modules/a/node_modules/@s/b/node_modules/c',
  });
  assert.deepEqual(installedLocation('usr/local/lib/node_modules/npm/node_modules/semver/package.json'), {
    root: 'usr/local/lib',
    dir: 'usr/local/lib/node_modules/npm/node_modules/semver',
  });
  // pnpm's store inside node_modules
  assert.deepEqual(installedLocation('app/node_modules/.pnpm/@babel+core@7.0.0/node_modules/@babel/core/package.json'), {
    root: 'app',
    dir: 'app/node_modules/.pnpm/@babel+core@7.0.0/node_modules/@babel/core',
  });
  for (const no of [
    'app/package.json',
    'package.json',
    'app/node_modules/package.json',
    'app/node_modules/a/test/package.json',
    'app/node_modules/a/test/fixtures/node_modules/b/package.json',
    'app/node_modules/a/lib/node_modules/b/package.json',
    'app/node_modules/@scope/package.json',
    'app/node_modules/@scope/@other/package.json',
    'app/node_modules/.bin/package.json',
    'app/node_modules/.cache/x/package.json',
    'app/node_modules/a/node_modules/package.json',
    'app/node_modules/a/package.json.bak',
    'app/node_modules/.pnpm/node_modules/a/package.json/x',
    'app/node_modules/node_modules/package.json',
  ]) {
    assert.equal(installedLocation(no), undefined, no);
  }
});

it('lock files: project locks and the hidden lock, never a lock shipped inside an installed package', () => {
  assert.deepEqual(lockLocation('app/package-lock.json'), { kind: 'package-lock', root: 'app' });
  assert.deepEqual(lockLocation('package-lock.json'), { kind: 'package-lock', root: '' });
  assert.deepEqual(lockLocation('srv/x/npm-shrinkwrap.json'), { kind: 'package-lock', root: 'srv/x' });
  assert.deepEqual(lockLocation('app/yarn.lock'), { kind: 'yarn', root: 'app' });
  assert.deepEqual(lockLocation('app/pnpm-lock.yaml'), { kind: 'pnpm', root: 'app' });
  assert.deepEqual(lockLocation('app/node_modules/.package-lock.json'), { kind: 'hidden-lock', root: 'app' });
  assert.deepEqual(lockLocation('node_modules/.package-lock.json'), { kind: 'hidden-lock', root: '' });
  for (const no of [
    'app/node_modules/a/package-lock.json',
    'app/node_modules/a/yarn.lock',
    'node_modules/a/pnpm-lock.yaml',
    'app/node_modules/a/node_modules/.package-lock.json',
    'app/.package-lock.json',
    'app/package-lock.json.orig',
    'app/my-yarn.lock',
  ]) {
    assert.equal(lockLocation(no), undefined, no);
  }
});
