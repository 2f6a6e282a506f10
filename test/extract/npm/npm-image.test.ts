/** The npm extractor on built images: installed trees, lock files, and how the two combine. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ImageInventory } from '../../../src/inventory.js';
import type { Package } from '../../../src/types.js';
import { file, whiteout } from '../../fixtures/hostile-images.js';
import { byId, inventoryOfLayers, ofEcosystem } from '../fixtures/lang-image.js';

const pj = (name: string, version: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ name, version, ...extra });

describe('npm packages in an image', () => {
  let inv: ImageInventory;
  let npm: Map<string, Package>;

  before(async () => {
    inv = await inventoryOfLayers([
      [
        // installed tree + v3 lock
        file('web/package.json', pj('web', '1.0.0')),
        file(
          'web/package-lock.json',
          JSON.stringify({
            name: 'web',
            lockfileVersion: 3,
            packages: {
              '': { name: 'web', version: '1.0.0' },
              'node_modules/a': { version: '1.0.0' },
              'node_modules/a/node_modules/@s/b': { version: '2.0.0', dev: true },
              'node_modules/c': { version: '1.0.0' },
              'node_modules/omitted-dev': { version: '5.0.0', dev: true },
            },
          }),
        ),
        file('web/node_modules/a/package.json', pj('a', '1.0.0', { license: 'MIT' })),
        file('web/node_modules/a/node_modules/@s/b/package.json', pj('@s/b', '2.0.0')),
        file('web/node_modules/a/test/fixtures/package.json', pj('fixture', '9.9.9')),
        file('web/node_modules/a/test/fixtures/node_modules/fx/package.json', pj('fx', '9.9.9')),
        file('web/node_modules/c/package.json', pj('c', '1.1.0')),
        file('web/node_modules/gone/package.json', pj('gone', '0.0.1')),
        // a lock shipped inside a package describes its own dev tree
        file('web/node_modules/a/package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/inner': { version: '1.0.0' } } })),
      ],
      [
        whiteout('web/node_modules/gone'),
        // lock only: reported from the lock, once per name@version
        file(
          'old/package-lock.json',
          JSON.stringify({
            lockfileVersion: 1,
            dependencies: {
              ms: { version: '2.0.0', dev: true },
              debug: { version: '2.6.9', dependencies: { ms: { version: '2.0.0' } } },
              mocha: { version: '10.0.0', dev: true },
            },
          }),
        ),
        file('yarnapp/yarn.lock', '# yarn lockfile v1\n\n"@babel/core@^7.0.0":\n  version "7.22.0"\n\nlodash@^4:\n  version "4.17.21"\n'),
        file('berry/yarn.lock', '__metadata:\n  version: 8\n\n"left-pad@npm:^1.3.0":\n  version: 1.3.0\n  resolution: "left-pad@npm:1.3.0"\n  linkType: hard\n'),
        // pnpm project with its store: the lock gives dev flags by name@version
        file(
          'pn/pnpm-lock.yaml',
          "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ms:\n        specifier: ^2\n        version: 2.1.3\n    devDependencies:\n      tsx:\n        specifier: ^4\n        version: 4.0.0\npackages:\n  ms@2.1.3:\n    resolution: {integrity: x}\n  tsx@4.0.0:\n    resolution: {integrity: x}\n  not-installed@1.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  ms@2.1.3: {}\n  tsx@4.0.0: {}\n  not-installed@1.0.0: {}\n",
        ),
        file('pn/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json', pj('ms', '2.1.3')),
        file('pn/node_modules/.pnpm/tsx@4.0.0/node_modules/tsx/package.json', pj('tsx', '4.0.0')),
        // hidden lock only adds dev flags
        file(
          'hid/node_modules/.package-lock.json',
          JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/x': { version: '1.0.0', dev: true }, 'node_modules/ghost': { version: '1.0.0' } } }),
        ),
        file('hid/node_modules/x/package.json', pj('x', '1.0.0')),
        file('usr/local/lib/node_modules/npm/package.json', pj('npm', '10.2.0', { license: { type: 'Artistic-2.0' } })),
      ],
    ]);
    npm = byId(ofEcosystem(inv, 'npm'));
  });

  it('lists installed packages and lock-only projects, nothing else', () => {
    assert.deepEqual([...npm.keys()].sort(), [
      '@babel/core@7.22.0',
      '@s/b@2.0.0',
      'a@1.0.0',
      'c@1.1.0',
      'debug@2.6.9',
      'left-pad@1.3.0',
      'lodash@4.17.21',
      'mocha@10.0.0',
      'ms@2.0.0',
      'ms@2.1.3',
      'npm@10.2.0',
      'tsx@4.0.0',
      'x@1.0.0',
    ]);
    assert.deepEqual(inv.warnings, []);
  });

  it('installed packages carry their package.json, layer, purl and license', () => {
    const b = npm.get('@s/b@2.0.0')!;
    assert.deepEqual(b.paths, ['web/node_modules/a/node_modules/@s/b/package.json']);
    assert.equal(b.purl, 'pkg:npm/%40s/b@2.0.0');
    assert.equal(b.layer, 0);
    assert.equal(npm.get('a@1.0.0')!.license, 'MIT');
    assert.equal(npm.get('npm@10.2.0')!.license, 'Artistic-2.0');
    assert.equal(npm.get('npm@10.2.0')!.dev, undefined, 'no lock: unknown');
  });

  it('the lock gives dev flags by install path; an installed version the lock does not pin stays unknown', () => {
    assert.equal(npm.get('a@1.0.0')!.dev, false);
    assert.equal(npm.get('@s/b@2.0.0')!.dev, true);
    assert.equal(npm.get('c@1.1.0')!.dev, undefined);
    assert.equal(npm.get('c@1.0.0'), undefined, 'the installed version wins');
    assert.equal(npm.get('omitted-dev@5.0.0'), undefined, 'not installed, so not in the image');
  });

  it('pnpm store packages get dev flags from pnpm-lock; hidden lock flags x', () => {
    assert.equal(npm.get('ms@2.1.3')!.dev, false);
    assert.equal(npm.get('tsx@4.0.0')!.dev, true);
    assert.equal(npm.get('x@1.0.0')!.dev, true);
    assert.deepEqual(npm.get('tsx@4.0.0')!.paths, ['pn/node_modules/.pnpm/tsx@4.0.0/node_modules/tsx/package.json']);
  });

  it('lock-only packages: one per name@version, from the lock file, production if any copy is', () => {
    const ms = npm.get('ms@2.0.0')!;
    assert.deepEqual(ms.paths, ['old/package-lock.json']);
    assert.equal(ms.layer, 1);
    assert.equal(ms.dev, false);
    assert.equal(npm.get('mocha@10.0.0')!.dev, true);
    assert.equal(npm.get('lodash@4.17.21')!.dev, undefined);
    assert.equal(npm.get('@babel/core@7.22.0')!.purl, 'pkg:npm/%40babel/core@7.22.0');
    assert.deepEqual(npm.get('left-pad@1.3.0')!.paths, ['berry/yarn.lock']);
  });
});

it('malformed npm files: one warning each, no crash, the rest still listed', async () => {
  const inv = await inventoryOfLayers([
    [
      file('app/node_modules/ok/package.json', pj('ok', '1.0.0')),
      file('app/node_modules/broken/package.json', '{"name": "broken",'),
      file('app/node_modules/noversion/package.json', JSON.stringify({ name: 'noversion' })),
      file('app/node_modules/arr/package.json', '[1]'),
      file('b1/package-lock.json', '{"lockfileVersion": 3, "packages": '),
      file('b2/yarn.lock', '# yarn lockfile v1\n\nfoo@^1:\n  version {{{\n'),
      file('b3/pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages: [\n"),
      file('b4/package-lock.json', '"just a string"'),
      file('b5/pnpm-lock.yaml', 'packages: {}\n'),
    ],
  ]);
  assert.deepEqual(
    ofEcosystem(inv, 'npm').map((p) => p.name),
    ['ok'],
  );
  const expected = [
    ['app/node_modules/broken/package.json', /not valid JSON/],
    ['app/node_modules/noversion/package.json', /no version/],
    ['app/node_modules/arr/package.json', /not a JSON object/],
    ['b1/package-lock.json', /not a valid npm lock file/],
    ['b2/yarn.lock', /not a valid yarn lock file/],
    ['b3/pnpm-lock.yaml', /not a valid pnpm lock file/],
    ['b4/package-lock.json', /not a valid npm lock file/],
    ['b5/pnpm-lock.yaml', /lockfileVersion/],
  ] as const;
  assert.equal(inv.warnings.length, expected.length, inv.warnings.join('\n'));
  for (const [path, re] of expected) {
    const w = inv.warnings.find((x) => x.includes(path));
    assert.ok(w, `no warning for ${path}: ${inv.warnings.join(' | ')}`);
    assert.match(w, re);
    assert.doesNotMatch(w, /[\r\n]/);
    assert.match(w, /^layer 0: /);
  }
});
