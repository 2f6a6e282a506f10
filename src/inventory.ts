import { extractionClaims, selectExtractors } from './extract/index.js';
import { detectImageOs } from './extract/os.js';
import { markOwned, ownedFiles } from './extract/ownership.js';
import { ImageFilesystem } from './image/filesystem.js';
import { hostPlatform, parsePlatform } from './image/platform.js';
import type { LoadedImage, PullProgress, RegistryOptions } from './image/source.js';
import { resolveTarget } from './image/sources/index.js';
import type { DecompressionLimits } from './image/decompress.js';
import type { FileClaim, LayerAnalysis, LayerScanner } from './image/layer.js';
import type { ImageMeta, Inventory } from './types.js';

export interface InventoryOptions {
  /** os/arch[/variant]; default the host's. */
  platform?: string;
  limits?: DecompressionLimits;
  cacheDir?: string;
  registry?: RegistryOptions;
  progress?: PullProgress;
  /** Run only these extractors (by name, e.g. dpkg, apk); default all. */
  extractors?: readonly string[];
  /** More files to capture, for the checks (application config files); they come first. */
  extraClaims?: readonly FileClaim[];
  /** Watch every file of every layer as it streams past (secrets, malware). */
  scanners?: readonly LayerScanner[];
}

export interface ImageInventory {
  image: ImageMeta;
  inventory: Inventory;
  fs: ImageFilesystem;
  /** Per layer, what the walk recorded (entries, whiteouts, scanner results). */
  layers: LayerAnalysis[];
  /** Path -> the OS package that installed it. */
  owners: Map<string, string>;
  warnings: string[];
}

/** Read an image once and list what is installed in it. */
export async function inventoryImage(ref: string, opts: InventoryOptions = {}): Promise<ImageInventory> {
  const selected = selectExtractors(opts.extractors);
  const { source, target } = await resolveTarget(ref);
  const loaded: LoadedImage = await source.load(target, ref, {
    platform: opts.platform ? parsePlatform(opts.platform) : hostPlatform(),
    platformExplicit: opts.platform !== undefined,
    claims: [...(opts.extraClaims ?? []), ...extractionClaims(selected)],
    scanners: opts.scanners,
    limits: opts.limits,
    cacheDir: opts.cacheDir,
    registry: opts.registry,
    progress: opts.progress,
  });
  const fs = ImageFilesystem.merge(loaded.layers);
  const os = detectImageOs(fs);
  const warnings = [...loaded.warnings];
  const ctx = { fs, os, warnings };
  const packages = selected.flatMap((e) => e.extract(ctx));
  const owners = ownedFiles(fs);
  markOwned(packages, owners);
  const inventory: Inventory = { packages };
  if (os) inventory.os = os;
  return { image: loaded.meta, inventory, fs, layers: loaded.layers, owners, warnings };
}
