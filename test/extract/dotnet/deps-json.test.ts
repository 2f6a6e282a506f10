import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDepsJson } from '../../../src/extract/dotnet/deps-json.js';
import { file } from '../../fixtures/hostile-images.js';
import { inventoryOfLayers, ofEcosystem } from '../fixtures/lang-image.js';

const DEPS = JSON.stringify({
  runtimeTarget: { name: '.NETCoreApp,Version=v6.0/linux-x64', signature: '' },
  targets: {
    '.NETCoreApp,Version=v6.0/linux-x64': {
      'WebApp/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.1' }, runtime: { 'WebApp.dll': {} } },
      'Newtonsoft.Json/13.0.1': { runtime: { 'lib/netstandard2.0/Newtonsoft.Json.dll': {} } },
    },
  },
  libraries: {
    'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.1': { type: 'package', serviceable: true, sha512: 'sha512-x', path: 'newtonsoft.json/13.0.1' },
    'System.Text.Encodings.Web/4.7.1': { type: 'package', serviceable: true },
    'runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/6.0.16': { type: 'runtimepack' },
    'Lib.Ref/1.0.0': { type: 'reference' },
    'NoVersion/': { type: 'package' },
  },
});

it('deps.json: only type "package" libraries', () => {
  assert.deepEqual(parseDepsJson(DEPS), [
    { name: 'Newtonsoft.Json', version: '13.0.1' },
    { name: 'System.Text.Encodings.Web', version: '4.7.1' },
  ]);
  assert.deepEqual(parseDepsJson('{"runtimeTarget": {}}'), []);
  assert.throws(() => parseDepsJson('{"libraries": []}'), /libraries/);
  assert.throws(() => parseDepsJson('{"libraries": '), /JSON/);
});

it('nuget packages in an image; a broken deps.json warns', async () => {
  const inv = await inventoryOfLayers([[file('app/WebApp.deps.json', DEPS), file('app/Broken.deps.json', '\u0000\u0001garbage')]]);
  const nuget = ofEcosystem(inv, 'nuget');
  assert.deepEqual(
    nuget.map((p) => p.purl),
    ['pkg:nuget/Newtonsoft.Json@13.0.1', 'pkg:nuget/System.Text.Encodings.Web@4.7.1'],
  );
  assert.deepEqual(nuget[0]!.paths, ['app/WebApp.deps.json']);
  assert.equal(inv.warnings.length, 1, inv.warnings.join('\n'));
  assert.match(inv.warnings[0]!, /app\/Broken.deps.json: not a valid .NET deps.json/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(inv.warnings[0]!, /[\u0000-\u001f]/);
});
