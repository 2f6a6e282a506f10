import { PackageURL } from 'packageurl-js';
import type { CapturedFile } from '../../image/filesystem.js';
import type { Package } from '../../types.js';
import { CavasError, describeError } from '../../util/errors.js';
import type { ExtractContext, Extractor } from '../extractor.js';
import { evr, parseSourceRpm, readRpmdb, type RpmRecord } from './rpmdb.js';

/**
 * Where rpm keeps its package db, most specific first: Fedora 36+ and openSUSE moved it
 * to /usr/lib/sysimage/rpm (leaving /var/lib/rpm as a symlink); within a directory the
 * newer backends win, as rpm picks the db it finds for its configured backend.
 */
export const RPMDB_PATHS: readonly string[] = [
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/Packages',
  'var/lib/rpm/rpmdb.sqlite',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/Packages',
];
const DB_PATHS = new Set(RPMDB_PATHS);

/** The reduced form kept per captured db version: the records, or why they could not be read. */
type Reduced = { records: RpmRecord[] } | { error: string };

function reduce(path: string, content: Buffer): Buffer {
  let out: Reduced;
  try {
    out = { records: readRpmdb(content, path) };
  } catch (e) {
    out = { error: e instanceof CavasError ? e.message : `${path}: ${describeError(e)}` };
  }
  return Buffer.from(JSON.stringify(out));
}

function unreduce(file: CapturedFile): Reduced {
  try {
    const v = JSON.parse(file.content.toString('utf8')) as Reduced;
    if ('records' in v && Array.isArray(v.records)) return v;
    if ('error' in v && typeof v.error === 'string') return v;
  } catch {
    // fall through: not what reduce wrote (an old cache entry)
  }
  return { error: `${file.path}: unreadable cached analysis` };
}

const key = (r: RpmRecord): string => `${r.name}\0${r.arch ?? ''}\0${evr(r)}`;

/**
 * rpm rewrites its db in every layer that installs or removes packages, so as with dpkg
 * a package dates from the first layer from which every version of the db lists it
 * (name, arch and EVR: kernels are installed side by side in several versions).
 */
function introducedLayers(versions: Array<{ records: RpmRecord[]; layer: number }>): Map<string, number> {
  const since = new Map<string, number>();
  for (const { records, layer } of versions) {
    const seen = new Set(records.map(key));
    for (const k of [...since.keys()]) if (!seen.has(k)) since.delete(k);
    for (const k of seen) if (!since.has(k)) since.set(k, layer);
  }
  return since;
}

function toPackage(r: RpmRecord, layer: number, path: string, ctx: ExtractContext): Package {
  const version = evr(r);
  const qualifiers: Record<string, string> = {};
  if (r.arch) qualifiers.arch = r.arch;
  if (r.epoch) qualifiers.epoch = String(r.epoch);
  if (ctx.os) qualifiers.distro = `${ctx.os.id}-${ctx.os.version}`;
  const purl = new PackageURL('rpm', ctx.os?.id, r.name, `${r.version}-${r.release}`, Object.keys(qualifiers).length ? qualifiers : undefined, undefined);
  const pkg: Package = { ecosystem: 'rpm', name: r.name, version, purl: purl.toString(), layer, paths: [path] };
  if (r.arch) pkg.arch = r.arch;
  const src = r.sourceRpm ? parseSourceRpm(r.sourceRpm) : undefined;
  // a source rpm's file name has no epoch: the binary's is the spec's, so it is the source's too
  if (src) pkg.source = { name: src.name, version: evr({ epoch: r.epoch, version: src.version, release: src.release }) };
  if (r.license) pkg.license = r.license;
  if (r.modularityLabel) pkg.modularityLabel = r.modularityLabel;
  return pkg;
}

/** The db rpm itself would read: the one written last, and among those of one layer the first of RPMDB_PATHS. */
function visibleDb(ctx: ExtractContext): CapturedFile | undefined {
  const found: CapturedFile[] = [];
  for (const p of RPMDB_PATHS) {
    const f = ctx.fs.read(p);
    if (f && !found.includes(f)) found.push(f);
  }
  const chosen = found.reduce<CapturedFile | undefined>((best, f) => (best === undefined || f.layer > best.layer ? f : best), undefined);
  for (const f of found) {
    if (f !== chosen) ctx.warnings.push(`${f.path}: a second rpm database; only ${chosen!.path}, written later or preferred, is listed`);
  }
  return chosen;
}

export const rpmExtractor: Extractor = {
  name: 'rpm',
  // a full RHEL 8 Packages file is a few hundred MB at most; it is boiled down right after reading
  maxBytes: 512 * 1024 * 1024,
  wants: (path) => DB_PATHS.has(path),
  reduce,
  extract(ctx) {
    const visible = visibleDb(ctx);
    if (!visible) return [];
    const current = unreduce(visible);
    if ('error' in current) throw new CavasError('BAD_PACKAGE_DB', current.error);
    // earlier versions of any rpmdb file (a backend or directory change included) date the packages
    const versions: Array<{ records: RpmRecord[]; layer: number }> = [];
    for (const f of ctx.fs.history()) {
      if (f === visible || !DB_PATHS.has(f.path) || f.removedInLayer === undefined || f.removedInLayer > visible.layer) continue;
      const old = unreduce(f);
      if ('error' in old) ctx.warnings.push(`layer ${f.layer}: an older ${f.path} (replaced later) could not be parsed: ${old.error}`);
      versions.push({ records: 'records' in old ? old.records : [], layer: f.layer });
    }
    versions.sort((a, b) => a.layer - b.layer);
    versions.push({ records: current.records, layer: visible.layer });
    const layers = introducedLayers(versions);
    if (visible.path.endsWith('rpmdb.sqlite') && (ctx.fs.get(`${visible.path}-wal`)?.entry.size ?? 0) > 0) {
      ctx.warnings.push(`${visible.path}-wal is not empty: packages of rpm's last, uncheckpointed transaction may be missing`);
    }
    return current.records.map((r) => toPackage(r, layers.get(key(r)) ?? visible.layer, visible.path, ctx));
  },
};
