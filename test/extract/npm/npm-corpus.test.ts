/**
 * debian-app: /app/node_modules was made by `npm ci` from /app/package-lock.json (v3), so
 * the installed packages must be exactly the lock's, path for path and version for
 * version. The lock is read here with the system tar, not through cavas.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { inventoryImage } from '../../../src/inventory.js';
import type { Package } from '../../../src/types.js';
import { filesFromImage, imagePath } from '../fixtures/corpus-image.js';

const IMAGE = imagePath('debian-app.docker.tar.gz');
let npm: Package[];
let lock: { packages: Record<string, { version: string; dev?: boolean }> };

before(async () => {
  const { inventory } = await inventoryImage(IMAGE);
  npm = inventory.packages.filter((p) => p.ecosystem === 'npm');
  const raw = filesFromImage(IMAGE, (p) => p === 'app/package-lock.json').get('app/package-lock.json');
  assert.ok(raw, 'app/package-lock.json not in the image');
  lock = JSON.parse(raw.toString('utf8')) as typeof lock;
});

it('exactly the 69 installed packages, at the lock file versions and install paths', () => {
  const expected = new Map(
    Object.entries(lock.packages)
      .filter(([key]) => key !== '')
      .map(([key, e]) => [`app/${key}/package.json`, e.version]),
  );
  assert.equal(expected.size, 69);
  const actual = new Map(npm.map((p) => [p.paths[0]!, p.version]));
  assert.equal(npm.length, 69);
  assert.deepEqual(actual, expected);
});

it('names, purls, layer and dev flags', () => {
  const ms = npm.filter((p) => p.name === 'ms').map((p) => `${p.version} ${p.paths[0]}`).sort();
  assert.deepEqual(ms, [
    '2.0.0 app/node_modules/ms/package.json',
    '2.1.1 app/node_modules/send/node_modules/ms/package.json',
    '2.1.3 app/node_modules/jsonwebtoken/node_modules/ms/package.json',
  ]);
  const lodash = npm.find((p) => p.name === 'lodash');
  assert.equal(lodash?.purl, 'pkg:npm/lodash@4.17.15');
  assert.equal(lodash?.license, 'MIT');
  // node_modules came in one layer (the npm ci step), after the one that copied package*.json
  const layers = new Set(npm.map((p) => p.layer));
  assert.equal(layers.size, 1);
  assert.ok([...layers][0]! > 0);
  // the lock marks none of them dev, so all are known production packages
  assert.ok(npm.every((p) => p.dev === false));
  assert.ok(npm.every((p) => p.ownedBy === undefined));
});

it('the application itself (/app/package.json, legacy-api) is not a package', () => {
  assert.equal(npm.find((p) => p.name === 'legacy-api'), undefined);
});
