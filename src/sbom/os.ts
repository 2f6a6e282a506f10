/**
 * The operating system of an SBOM's image. OS packages are matched per release, so
 * without it they cannot be matched at all. Documents state it three ways: cavas' own
 * properties, an operating-system component or package (name + version), and the distro
 * qualifier of OS package purls (`distro=debian-12`, `distro=alpine-3.16.9`, Trivy's `distro=3.16.9`).
 */
import type { OsInfo, Package } from '../types.js';
import { OS_ECOSYSTEMS, parsePurl } from './package.js';

/** Other tools' names for the os-release IDs cavas keys releases by. */
const ID_ALIASES: Readonly<Record<string, string>> = { redhat: 'rhel', oracle: 'ol', alma: 'almalinux' };

export function osId(name: string): string {
  const id = name.trim().toLowerCase();
  return ID_ALIASES[id] ?? id;
}

/** name + version as an operating-system component or package states them. */
export function osFromNameVersion(name: string | undefined, version: string | undefined, prettyName?: string): OsInfo | undefined {
  if (!name) return undefined;
  const os: OsInfo = { id: osId(name), version: version ?? '' };
  if (prettyName) os.prettyName = prettyName;
  return os;
}

/** One distro qualifier; the purl namespace names the distribution when the qualifier is a bare release. */
export function osFromDistro(distro: string, namespace: string | undefined): OsInfo | undefined {
  const ns = namespace?.toLowerCase();
  const versioned = /^(.+?)-(\d.*)$/.exec(distro);
  if (versioned) return { id: osId(versioned[1]!), version: versioned[2]! };
  if (!ns) return undefined;
  if (/^\d/.test(distro)) return { id: osId(ns), version: distro };
  // a codename (debian-bookworm) where a version usually stands
  const codename = distro.toLowerCase().startsWith(`${ns}-`) ? distro.slice(ns.length + 1) : distro;
  return codename === '' ? undefined : { id: osId(ns), version: '', codename };
}

/** The distro qualifier most OS packages carry (an SBOM of one image has one, but be tolerant). */
export function osFromPackages(packages: readonly Package[]): OsInfo | undefined {
  const votes = new Map<string, { os: OsInfo; n: number }>();
  for (const pkg of packages) {
    if (!OS_ECOSYSTEMS.has(pkg.ecosystem)) continue;
    const p = parsePurl(pkg.purl);
    const distro = p?.qualifiers?.distro;
    const os = distro ? osFromDistro(distro, p?.namespace) : undefined;
    if (!os) continue;
    const key = `${os.id}\0${os.version}\0${os.codename ?? ''}`;
    const v = votes.get(key) ?? { os, n: 0 };
    v.n++;
    votes.set(key, v);
  }
  let best: { os: OsInfo; n: number } | undefined;
  for (const v of votes.values()) if (!best || v.n > best.n) best = v;
  return best?.os;
}
