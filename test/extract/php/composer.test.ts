import assert from 'node:assert/strict';
import { it } from 'node:test';
import { composerVersion, parseInstalledJson } from '../../../src/extract/php/installed-json.js';
import { file } from '../../fixtures/hostile-images.js';
import { inventoryOfLayers, ofEcosystem } from '../fixtures/lang-image.js';

const V1 = JSON.stringify([
  { name: 'monolog/monolog', version: '1.25.1', version_normalized: '1.25.1.0', type: 'library', license: ['MIT'] },
  { name: 'guzzlehttp/guzzle', version: 'v6.5.0', license: ['MIT'] },
]);
const V2 = JSON.stringify({
  packages: [
    { name: 'symfony/http-kernel', version: 'v5.4.20', version_normalized: '5.4.20.0', license: ['MIT'] },
    { name: 'phpunit/phpunit', version: '9.6.3', license: ['BSD-3-Clause'] },
    { name: 'dual/lic', version: '1.0.0', license: ['MIT', 'GPL-2.0-only'] },
    { name: 'no-vendor', version: '1.0.0' },
    { name: 'a/b', version: '' },
    'junk',
  ],
  dev: true,
  'dev-package-names': ['phpunit/phpunit'],
});

it('installed.json v1 (array) and v2 ({packages}); leading v stripped; dev from dev-package-names', () => {
  assert.deepEqual(parseInstalledJson(V1), [
    { name: 'monolog/monolog', version: '1.25.1', license: 'MIT' },
    { name: 'guzzlehttp/guzzle', version: '6.5.0', license: 'MIT' },
  ]);
  assert.deepEqual(parseInstalledJson(V2), [
    { name: 'symfony/http-kernel', version: '5.4.20', license: 'MIT', dev: false },
    { name: 'phpunit/phpunit', version: '9.6.3', license: 'BSD-3-Clause', dev: true },
    { name: 'dual/lic', version: '1.0.0', license: '(MIT OR GPL-2.0-only)', dev: false },
  ]);
  assert.equal(composerVersion('dev-main'), 'dev-main');
  assert.equal(composerVersion('V2.0'), '2.0');
  assert.throws(() => parseInstalledJson('{"packages": 3}'), /Composer/);
  assert.throws(() => parseInstalledJson('{'), /JSON/);
});

it('composer packages in an image; a broken installed.json warns', async () => {
  const inv = await inventoryOfLayers([
    [
      file('var/www/vendor/composer/installed.json', V2),
      file('srv/old/vendor/composer/installed.json', V1),
      file('srv/bad/vendor/composer/installed.json', '{"packages": ['),
      file('srv/other/composer/installed.json', V1),
    ],
  ]);
  const php = ofEcosystem(inv, 'composer');
  assert.deepEqual(php.map((p) => `${p.name}@${p.version}`).sort(), [
    'dual/lic@1.0.0',
    'guzzlehttp/guzzle@6.5.0',
    'monolog/monolog@1.25.1',
    'phpunit/phpunit@9.6.3',
    'symfony/http-kernel@5.4.20',
  ]);
  const kernel = php.find((p) => p.name === 'symfony/http-kernel')!;
  assert.equal(kernel.purl, 'pkg:composer/symfony/http-kernel@5.4.20');
  assert.equal(kernel.dev, false);
  assert.deepEqual(kernel.paths, ['var/www/vendor/composer/installed.json']);
  assert.equal(php.find((p) => p.name === 'monolog/monolog')!.dev, undefined);
  assert.equal(inv.warnings.length, 1, inv.warnings.join('\n'));
  assert.match(inv.warnings[0]!, /srv\/bad\/vendor\/composer\/installed.json: not a valid Composer installed.json/);
});
