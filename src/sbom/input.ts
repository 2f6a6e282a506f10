/** What reading an SBOM gives the scan: the stand-in for an image walk. */
import type { ImageMeta, Inventory, OsInfo, Package } from '../types.js';
import { sbomImage, type ImageFacts, type LayerIds } from './image.js';
import { osFromPackages } from './os.js';
import { OS_ECOSYSTEMS } from './package.js';

export interface SbomInput {
  image: ImageMeta;
  inventory: Inventory;
  warnings: string[];
}

export interface SbomParts {
  ref: string;
  image: ImageFacts;
  /** As the document states it; else the OS packages' distro qualifiers decide. */
  os?: OsInfo;
  packages: Package[];
  layers: LayerIds;
  warnings: string[];
}

export function sbomInput(parts: SbomParts): SbomInput {
  const inventory: Inventory = { packages: parts.packages };
  const os = parts.os ?? osFromPackages(parts.packages);
  if (os) inventory.os = os;
  const warnings = [...parts.warnings];
  if (parts.packages.length === 0) warnings.push('the SBOM lists no package with a purl of an ecosystem cavas matches: nothing to check');
  const osPackages = parts.packages.filter((p) => OS_ECOSYSTEMS.has(p.ecosystem)).length;
  if (!os && osPackages > 0) {
    warnings.push(`the SBOM names no operating system (no operating-system component, no distro qualifier on its purls): its ${osPackages} OS package(s) cannot be matched`);
  }
  return { image: sbomImage(parts.ref, parts.image, parts.layers.byIndex), inventory, warnings };
}
