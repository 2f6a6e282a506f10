import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { languagePurl, reason, visibleCaptures, warnFile } from '../language-file.js';
import { parseDepsJson } from './deps-json.js';

/** NuGet packages a .NET application was built with, from its *.deps.json. */
export const dotnetExtractor: Extractor = {
  name: 'dotnet-deps',
  maxBytes: 64 * 1024 * 1024,
  wants: (path) => path.endsWith('.deps.json'),
  extract(ctx) {
    const out: Package[] = [];
    for (const file of visibleCaptures(ctx, dotnetExtractor)) {
      let libs;
      try {
        libs = parseDepsJson(file.content.toString('utf8'));
      } catch (e) {
        warnFile(ctx, file, `not a valid .NET deps.json (${reason(e)}); its packages are not listed`);
        continue;
      }
      for (const l of libs) {
        try {
          out.push({ ecosystem: 'nuget', name: l.name, version: l.version, purl: languagePurl('nuget', undefined, l.name, l.version), layer: file.layer, paths: [file.path] });
        } catch (err) {
          warnFile(ctx, file, `unusable package name ${JSON.stringify(l.name)} (${reason(err)})`);
        }
      }
    }
    return out;
  },
};
