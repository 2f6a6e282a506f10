/**
 * An SBOM entry back to a cavas Package. The purl is the one field every tool writes the
 * same way, so ecosystem, name and version come from it, spelled as cavas' extractors
 * spell them (the matcher looks advisories up by those). What a purl cannot say (source
 * package, layer, files) comes from whatever else the document states.
 */
import { PackageURL } from 'packageurl-js';
import type { Ecosystem, Package } from '../types.js';

const ECOSYSTEMS: Readonly<Record<string, Ecosystem>> = {
  deb: 'deb',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'go',
  gem: 'gem',
  nuget: 'nuget',
  composer: 'composer',
  cargo: 'cargo',
};

export const OS_ECOSYSTEMS: ReadonlySet<Ecosystem> = new Set(['deb', 'apk', 'rpm']);

/** What the document says about a package beside its purl. */
export interface PackageFacts {
  /** The document's own name: kept when it is the purl's name spelled another way (PyYAML vs pyyaml). */
  name?: string;
  /** Used only when the purl has no version. */
  version?: string;
  source?: { name: string; version?: string };
  license?: string;
  layer?: number;
  paths?: string[];
  ownedBy?: string;
  dev?: boolean;
  modularityLabel?: string;
}

export type PackageOutcome = { pkg: Package; purl: PackageURL } | { skipped: string };

export function parsePurl(text: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(text);
  } catch {
    return undefined;
  }
}

/** Ecosystems whose namespace is part of the package's name (an OS package's names the distribution). */
const NAMESPACED: ReadonlySet<string> = new Set(['npm', 'composer', 'golang', 'maven']);

function purlName(p: PackageURL): string {
  if (!p.namespace || !NAMESPACED.has(p.type)) return p.name;
  // maven coordinates are group:artifact in cavas; npm scopes, composer vendors and Go module paths join with /
  return p.type === 'maven' ? `${p.namespace}:${p.name}` : `${p.namespace}/${p.name}`;
}

const loose = (s: string): string => s.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * cavas' own version spelling: Go without the purl's "v" (as OSV's Go records), Debian and
 * RPM with the epoch in front (some tools put it in an epoch qualifier instead).
 */
function packageVersion(p: PackageURL, ecosystem: Ecosystem, fallback: string | undefined): string | undefined {
  let v = p.version ?? fallback;
  if (v === undefined || v === '') return undefined;
  if (ecosystem === 'go' && /^v\d/.test(v)) v = v.slice(1);
  const epoch = p.qualifiers?.epoch;
  if ((ecosystem === 'deb' || ecosystem === 'rpm') && epoch && epoch !== '0' && !v.includes(':')) v = `${epoch}:${v}`;
  return v;
}

/** Syft's `upstream` qualifier: the source package, `name` or `name@version`. */
function upstream(p: PackageURL): { name: string; version?: string } | undefined {
  const u = p.qualifiers?.upstream;
  if (!u) return undefined;
  const at = u.indexOf('@');
  if (at < 0) return { name: u };
  return at > 0 ? { name: u.slice(0, at), version: u.slice(at + 1) || undefined } : undefined;
}

export function packageFromPurl(purlText: string, facts: PackageFacts): PackageOutcome {
  const p = parsePurl(purlText);
  if (!p) return { skipped: 'a purl that does not parse' };
  const ecosystem = ECOSYSTEMS[p.type];
  if (!ecosystem) return { skipped: `purl type "${p.type}" is not an ecosystem cavas matches` };
  const version = packageVersion(p, ecosystem, facts.version);
  if (version === undefined) return { skipped: 'no version' };
  const fromPurl = purlName(p);
  const name = facts.name !== undefined && loose(facts.name) === loose(fromPurl) ? facts.name : fromPurl;

  const pkg: Package = { ecosystem, name, version, purl: purlText, layer: facts.layer ?? 0, paths: facts.paths ?? [] };
  const arch = p.qualifiers?.arch;
  if (arch) pkg.arch = arch;
  const source = facts.source ?? upstream(p);
  // the matcher reads Debian's source version and Alpine's origin; an unstated source version is the binary's
  if (source) pkg.source = { name: source.name, version: source.version ?? version };
  else if (ecosystem === 'apk') pkg.source = { name, version };
  if (facts.license) pkg.license = facts.license;
  if (facts.ownedBy) pkg.ownedBy = facts.ownedBy;
  if (facts.dev !== undefined) pkg.dev = facts.dev;
  if (facts.modularityLabel) pkg.modularityLabel = facts.modularityLabel;
  return { pkg, purl: p };
}
