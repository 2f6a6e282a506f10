import type { CapturedFile } from '../../image/filesystem.js';
import type { Package } from '../../types.js';
import { describeError } from '../../util/errors.js';
import type { ExtractContext, Extractor } from '../extractor.js';
import { osPackagePurl } from '../purl.js';
import { isDpkgStatusDPath, parseDpkgStatus, type DpkgRecord } from './parse.js';

const STATUS = 'var/lib/dpkg/status';

function key(r: DpkgRecord): string {
  return `${r.name}\0${r.arch ?? ''}`;
}

/**
 * dpkg rewrites the whole status file in every layer that installs packages,
 * so the layer that introduced a package is the first layer from which on every
 * version of the file lists it at its final version. Earlier versions only date
 * packages: one that does not parse is reported and counts as listing nothing.
 */
function introducedLayers(earlier: CapturedFile[], visible: { records: DpkgRecord[]; layer: number }, ctx: ExtractContext): Map<string, number> {
  const since = new Map<string, { version: string; layer: number }>();
  const versions: Array<{ records: DpkgRecord[]; layer: number }> = [];
  for (const file of earlier) {
    try {
      versions.push({ records: parseDpkgStatus(file.content.toString('utf8'), STATUS), layer: file.layer });
    } catch (e) {
      ctx.warnings.push(`layer ${file.layer}: an older ${STATUS} (replaced later) could not be parsed: ${describeError(e)}`);
      versions.push({ records: [], layer: file.layer });
    }
  }
  versions.push(visible);
  for (const { records, layer } of versions) {
    const seen = new Map(records.map((r) => [key(r), r.version]));
    for (const k of [...since.keys()]) if (seen.get(k) !== since.get(k)!.version) since.delete(k);
    for (const [k, version] of seen) if (!since.has(k)) since.set(k, { version, layer });
  }
  return new Map([...since].map(([k, v]) => [k, v.layer]));
}

function toPackage(r: DpkgRecord, layer: number, path: string, ctx: ExtractContext): Package {
  const distro = ctx.os ? `${ctx.os.id}-${ctx.os.version}` : undefined;
  const pkg: Package = {
    ecosystem: 'deb',
    name: r.name,
    version: r.version,
    source: { name: r.sourceName, version: r.sourceVersion },
    purl: osPackagePurl('deb', ctx.os?.id ?? 'debian', r.name, r.version, distro, r.arch),
    layer,
    paths: [path],
  };
  if (r.arch) pkg.arch = r.arch;
  if (r.license) pkg.license = r.license;
  return pkg;
}

export const dpkgExtractor: Extractor = {
  name: 'dpkg',
  // a status file of a large image is a few MB; 64 MB leaves room without inviting abuse
  maxBytes: 64 * 1024 * 1024,
  wants: (path) => path === STATUS || isDpkgStatusDPath(path),
  extract(ctx) {
    const packages: Package[] = [];
    const visible = ctx.fs.read(STATUS);
    if (visible) {
      const versions = ctx.fs.history().filter((f) => f.path === STATUS && f.layer <= visible.layer);
      // only the versions on the path to the visible one count, not ones deleted and re-added
      const earlier = versions.filter((f) => f !== visible && f.removedInLayer !== undefined && f.removedInLayer <= visible.layer);
      const records = parseDpkgStatus(visible.content.toString('utf8'), STATUS);
      const layers = introducedLayers(earlier, { records, layer: visible.layer }, ctx);
      for (const r of records) {
        packages.push(toPackage(r, layers.get(key(r)) ?? visible.layer, STATUS, ctx));
      }
    }
    // distroless: one stanza file per package, each written by the layer that added it
    const seen = new Set(packages.map((p) => `${p.name}\0${p.arch ?? ''}`));
    for (const node of ctx.fs.entries()) {
      if (node.entry.type !== 'file' || !isDpkgStatusDPath(node.entry.path)) continue;
      const file = ctx.fs.read(node.entry.path);
      if (!file) continue;
      for (const r of parseDpkgStatus(file.content.toString('utf8'), node.entry.path)) {
        if (seen.has(key(r))) continue;
        packages.push(toPackage(r, file.layer, node.entry.path, ctx));
      }
    }
    return packages;
  },
};
