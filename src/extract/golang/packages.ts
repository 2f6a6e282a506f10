/**
 * Go build info -> packages. Versions are stored as OSV's Go records write them
 * (golang/vulndb: semver without the leading "v", "+incompatible" kept), so the matcher
 * compares like with like: module v1.2.3 -> 1.2.3, toolchain go1.19.8 -> stdlib 1.19.8,
 * go1.21rc2 -> 1.21.0-rc.2. purls keep Go's own spelling with the "v"
 * (pkg:golang/golang.org/x/net@v0.7.0, pkg:golang/stdlib@v1.19.8).
 */
import { PackageURL } from 'packageurl-js';
import type { Package } from '../../types.js';
import type { GoBuildInfo } from './buildinfo.js';

/** go1.19.8 -> 1.19.8, go1.20 -> 1.20.0, go1.21rc2 -> 1.21.0-rc.2; undefined for devel toolchains. */
export function stdlibVersion(goVersion: string): string | undefined {
  // "go1.22.0 X:boringcrypto": experiments follow a space
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(goVersion.split(' ')[0] ?? '');
  if (!m) return undefined;
  const [, major, minor, patch, pre, n] = m;
  // before Go 1.21 a new minor's first release was "go1.20"; vulndb writes it 1.20.0
  const base = `${major}.${minor}.${patch ?? '0'}`;
  return pre ? `${base}-${pre}.${n}` : base;
}

/** v1.2.3 -> 1.2.3; undefined where Go has no real version ((devel), empty). */
export function moduleVersion(version: string): string | undefined {
  if (version === '' || version === '(devel)') return undefined;
  return version.startsWith('v') ? version.slice(1) : version;
}

function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  const namespace = slash < 0 ? undefined : path.slice(0, slash);
  return new PackageURL('golang', namespace, path.slice(slash + 1), `v${version}`, undefined, undefined).toString();
}

/**
 * stdlib at the toolchain version, the main module unless it is (devel), and every
 * dependency as the build used it (a replacement wins; one replaced by a local
 * directory has no version and is left out).
 */
export function goPackages(info: GoBuildInfo, path: string, layer: number): Package[] {
  const out: Package[] = [];
  const add = (name: string, version: string | undefined): void => {
    if (version === undefined) return;
    out.push({ ecosystem: 'go', name, version, purl: goPurl(name, version), layer, paths: [path] });
  };
  add('stdlib', stdlibVersion(info.goVersion));
  if (info.main) add(info.main.path, moduleVersion(info.main.version));
  for (const dep of info.deps) {
    const used = dep.replace ?? dep;
    add(used.path, moduleVersion(used.version));
  }
  return out;
}
