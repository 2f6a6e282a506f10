import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseGemspec } from '../../../src/extract/ruby/gemspec.js';
import { isInstalledGemspec } from '../../../src/extract/ruby/index.js';
import { file } from '../../fixtures/hostile-images.js';
import { inventoryOfLayers, ofEcosystem } from '../fixtures/lang-image.js';

// as RubyGems 3 writes it into specifications/
const RAKE = `# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://example.invalid/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze]
  s.licenses = ["MIT".freeze]
  s.required_ruby_version = Gem::Requirement.new(">= 2.2".freeze)
  s.rubygems_version = "3.3.5".freeze
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze

  s.installed_by_version = "3.3.5" if s.respond_to? :installed_by_version
end
`;

it('installed gemspec: literal assignments of the block variable', () => {
  assert.deepEqual(parseGemspec(RAKE), { name: 'rake', version: '13.0.6', license: 'MIT' });
  const spec = `Gem::Specification.new do |spec|
  other.name = "not-this"
  spec.name    = 'nokogiri'
  spec.version = Gem::Version.new('1.15.4')
  spec.license = 'MIT'
end
`;
  assert.deepEqual(parseGemspec(spec), { name: 'nokogiri', version: '1.15.4', license: 'MIT' });
  // the stub comment is the fallback when the assignments are not literals
  assert.deepEqual(parseGemspec('# stub: json 2.6.3 ruby lib\nGem::Specification.new do |s|\n  s.name = NAME\n  s.version = JSON::VERSION\nend\n'), {
    name: 'json',
    version: '2.6.3',
  });
  assert.deepEqual(parseGemspec('puts "hello"\n'), {});
});

it('paths: specifications/ and specifications/default/ under any gem home', () => {
  assert.ok(isInstalledGemspec('usr/local/bundle/specifications/rack-2.2.8.gemspec'));
  assert.ok(isInstalledGemspec('usr/local/lib/ruby/gems/3.2.0/specifications/default/json-2.6.3.gemspec'));
  assert.ok(isInstalledGemspec('usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec'));
  assert.ok(!isInstalledGemspec('app/mygem.gemspec'));
  assert.ok(!isInstalledGemspec('usr/local/bundle/gems/rack-2.2.8/rack.gemspec'));
  assert.ok(!isInstalledGemspec('usr/local/bundle/specifications/x/y.gemspec'));
});

it('gems in an image; a gemspec without name or version warns', async () => {
  const inv = await inventoryOfLayers([
    [
      file('usr/local/bundle/specifications/rake-13.0.6.gemspec', RAKE),
      file('usr/local/lib/ruby/gems/3.2.0/specifications/default/json-2.6.3.gemspec', '# stub: json 2.6.3 ruby lib\n'),
      file('usr/local/bundle/gems/rake-13.0.6/rake.gemspec', RAKE.replace('13.0.6', '99.0.0')),
      file('usr/local/bundle/specifications/broken-1.0.gemspec', 'Gem::Specification.new do |s|\n  s.summary = "x"\nend\n'),
    ],
  ]);
  const gems = ofEcosystem(inv, 'gem');
  assert.deepEqual(gems.map((g) => `${g.name}@${g.version}`).sort(), ['json@2.6.3', 'rake@13.0.6']);
  const rake = gems.find((g) => g.name === 'rake')!;
  assert.equal(rake.purl, 'pkg:gem/rake@13.0.6');
  assert.equal(rake.license, 'MIT');
  assert.deepEqual(rake.paths, ['usr/local/bundle/specifications/rake-13.0.6.gemspec']);
  assert.equal(inv.warnings.length, 1, inv.warnings.join('\n'));
  assert.match(inv.warnings[0]!, /broken-1\.0\.gemspec: no name found/);
});
