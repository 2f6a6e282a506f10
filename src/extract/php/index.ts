import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { languagePurl, reason, visibleCaptures, warnFile } from '../language-file.js';
import { parseInstalledJson } from './installed-json.js';

const INSTALLED = 'vendor/composer/installed.json';

/** Composer-installed PHP packages, from each project's vendor/composer/installed.json. */
export const composerExtractor: Extractor = {
  name: 'composer',
  maxBytes: 64 * 1024 * 1024,
  wants: (path) => path === INSTALLED || path.endsWith('/' + INSTALLED),
  extract(ctx) {
    const out: Package[] = [];
    for (const file of visibleCaptures(ctx, composerExtractor)) {
      let entries;
      try {
        entries = parseInstalledJson(file.content.toString('utf8'));
      } catch (e) {
        warnFile(ctx, file, `not a valid Composer installed.json (${reason(e)}); its packages are not listed`);
        continue;
      }
      for (const e of entries) {
        const slash = e.name.indexOf('/');
        try {
          const pkg: Package = {
            ecosystem: 'composer',
            name: e.name,
            version: e.version,
            purl: languagePurl('composer', e.name.slice(0, slash), e.name.slice(slash + 1), e.version),
            layer: file.layer,
            paths: [file.path],
          };
          if (e.license) pkg.license = e.license;
          if (e.dev !== undefined) pkg.dev = e.dev;
          out.push(pkg);
        } catch (err) {
          warnFile(ctx, file, `unusable package name ${JSON.stringify(e.name)} (${reason(err)})`);
        }
      }
    }
    return out;
  },
};
