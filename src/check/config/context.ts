import type { ImageFilesystem } from '../../image/filesystem.js';
import type { ImageMeta, Inventory } from '../../types.js';

/** What the image-level checks look at: the config and history, and the merged filesystem. */
export interface ImageCheckContext {
  image: ImageMeta;
  fs: ImageFilesystem;
  inventory: Inventory;
  /** Path (root-relative) -> OS package that installed it. */
  owners: ReadonlyMap<string, string>;
}
