/**
 * Installed gems: RubyGems' `specifications/*.gemspec` and the default gems bundled with
 * Ruby (`specifications/default/*.gemspec`), under any GEM_HOME (system, bundler's
 * vendor/bundle, Debian's rubygems-integration).
 */
import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { languagePurl, reason, visibleCaptures, warnFile } from '../language-file.js';
import { readGemFacts, reduceGemspec } from './gemspec.js';

const MiB = 1024 * 1024;

export function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith('.gemspec')) return false;
  const slash = path.lastIndexOf('/');
  let dir = slash < 0 ? '' : path.slice(0, slash);
  if (dir.endsWith('/default') || dir === 'default') dir = dir.slice(0, -'default'.length - 1);
  return dir === 'specifications' || dir.endsWith('/specifications');
}

export const rubyExtractor: Extractor = {
  name: 'gemspec',
  maxBytes: 1 * MiB,
  wants: (path) => isInstalledGemspec(path),
  reduce: reduceGemspec,
  extract(ctx) {
    const out: Package[] = [];
    for (const file of visibleCaptures(ctx, rubyExtractor)) {
      const facts = readGemFacts(file.content);
      if (!facts.name || !facts.version) {
        warnFile(ctx, file, `no ${facts.name ? 'version' : 'name'} found; gem not listed`);
        continue;
      }
      try {
        const pkg: Package = { ecosystem: 'gem', name: facts.name, version: facts.version, purl: languagePurl('gem', undefined, facts.name, facts.version), layer: file.layer, paths: [file.path] };
        if (facts.license) pkg.license = facts.license;
        out.push(pkg);
      } catch (e) {
        warnFile(ctx, file, `unusable gem name ${JSON.stringify(facts.name)} (${reason(e)})`);
      }
    }
    return out;
  },
};
