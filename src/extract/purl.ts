import { PackageURL } from 'packageurl-js';
import type { Ecosystem } from '../types.js';

/** purl for an OS package; the distro qualifier ties it to the release its advisories are about. */
export function osPackagePurl(type: Ecosystem, namespace: string, name: string, version: string, distro: string | undefined, arch?: string): string {
  const qualifiers: Record<string, string> = {};
  if (arch) qualifiers.arch = arch;
  if (distro) qualifiers.distro = distro;
  return new PackageURL(type, namespace, name, version, Object.keys(qualifiers).length ? qualifiers : undefined, undefined).toString();
}
