/**
 * Installed Python distributions: the metadata pip, setuptools and Debian's python3-*
 * packages leave directly inside a site-packages or dist-packages directory (any
 * interpreter, any prefix, virtualenvs included). Metadata deeper inside a package
 * (vendored test data) is not an installed distribution.
 */
import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { dirOf, languagePurl, reason, visibleCaptures, warnFile } from '../language-file.js';
import { normalizePythonName, readMetadataFacts, reduceMetadata } from './metadata.js';

const MiB = 1024 * 1024;

function isSiteDir(dir: string): boolean {
  const base = dir.slice(dir.lastIndexOf('/') + 1);
  return base === 'site-packages' || base === 'dist-packages';
}

/** The site directory a metadata file belongs to, or undefined when the path is not one. */
export function siteDirOf(path: string): string | undefined {
  let holder: string;
  if (path.endsWith('.dist-info/METADATA')) holder = path.slice(0, -'/METADATA'.length);
  else if (path.endsWith('.egg-info/PKG-INFO')) holder = path.slice(0, -'/PKG-INFO'.length);
  else if (path.endsWith('.egg/EGG-INFO/PKG-INFO')) holder = path.slice(0, -'/EGG-INFO/PKG-INFO'.length);
  else if (path.endsWith('.egg-info')) holder = path;
  else return undefined;
  const site = dirOf(holder);
  return isSiteDir(site) ? site : undefined;
}

export const pythonExtractor: Extractor = {
  name: 'python',
  // only the header block is kept, so a long README in METADATA costs nothing after the read
  maxBytes: 8 * MiB,
  wants: (path) => siteDirOf(path) !== undefined,
  reduce: reduceMetadata,
  extract(ctx) {
    const seen = new Set<string>();
    const out: Package[] = [];
    for (const file of visibleCaptures(ctx, pythonExtractor)) {
      const facts = readMetadataFacts(file.content);
      if (!facts.name || !facts.version) {
        warnFile(ctx, file, `no ${facts.name ? 'Version' : 'Name'} header; distribution not listed`);
        continue;
      }
      const name = normalizePythonName(facts.name);
      // a distribution both as .dist-info and .egg-info in one site dir is one install
      const key = `${siteDirOf(file.path)}\0${name}\0${facts.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const pkg: Package = { ecosystem: 'pypi', name, version: facts.version, purl: languagePurl('pypi', undefined, name, facts.version), layer: file.layer, paths: [file.path] };
        if (facts.license) pkg.license = facts.license;
        out.push(pkg);
      } catch (e) {
        warnFile(ctx, file, `unusable distribution name ${JSON.stringify(facts.name)} (${reason(e)})`);
      }
    }
    return out;
  },
};
