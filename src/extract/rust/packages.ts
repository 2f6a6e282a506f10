import { PackageURL } from 'packageurl-js';
import type { Package } from '../../types.js';

/**
 * A crate as a package. Workspace members and path dependencies (no source in
 * Cargo.lock, "local" in auditable data) are the project itself, not crates.io
 * releases: listing them would match advisories of unrelated crates of the same name.
 */
export function cratePackage(name: string, version: string, path: string, layer: number): Package {
  return { ecosystem: 'cargo', name, version, purl: new PackageURL('cargo', undefined, name, version, undefined, undefined).toString(), layer, paths: [path] };
}
