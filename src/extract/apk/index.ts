import type { CapturedFile } from '../../image/filesystem.js';
import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { osPackagePurl } from '../purl.js';
import { parseApkInstalled, type ApkRecord } from './parse.js';

const INSTALLED = 'lib/apk/db/installed';

/** As with dpkg, apk rewrites its db per layer: a package dates from the first layer that lists its final version. */
function introducedLayers(chain: CapturedFile[]): Map<string, number> {
  const since = new Map<string, { version: string; layer: number }>();
  for (const file of chain) {
    const seen = new Map(parseApkInstalled(file.content.toString('utf8'), INSTALLED).map((r) => [r.name, r.version]));
    for (const k of [...since.keys()]) if (seen.get(k) !== since.get(k)!.version) since.delete(k);
    for (const [k, version] of seen) if (!since.has(k)) since.set(k, { version, layer: file.layer });
  }
  return new Map([...since].map(([k, v]) => [k, v.layer]));
}

export const apkExtractor: Extractor = {
  name: 'apk',
  maxBytes: 64 * 1024 * 1024,
  wants: (path) => path === INSTALLED,
  extract(ctx) {
    const visible = ctx.fs.read(INSTALLED);
    if (!visible) return [];
    const chain = ctx.fs
      .history()
      .filter((f) => f.path === INSTALLED && (f === visible || (f.removedInLayer !== undefined && f.removedInLayer <= visible.layer)));
    const layers = introducedLayers(chain);
    // Alpine purls carry the release (3.16.9), not the id, as distro
    const distro = ctx.os?.version;
    return parseApkInstalled(visible.content.toString('utf8'), INSTALLED).map((r: ApkRecord) => {
      const pkg: Package = {
        ecosystem: 'apk',
        name: r.name,
        version: r.version,
        source: { name: r.origin ?? r.name, version: r.version },
        purl: osPackagePurl('apk', ctx.os?.id ?? 'alpine', r.name, r.version, distro, r.arch),
        layer: layers.get(r.name) ?? visible.layer,
        paths: [INSTALLED],
      };
      if (r.arch) pkg.arch = r.arch;
      if (r.license) pkg.license = r.license;
      return pkg;
    });
  },
};
