import type { ImageFilesystem } from '../image/filesystem.js';
import type { FileClaim } from '../image/layer.js';
import type { OsInfo, Package } from '../types.js';

export interface ExtractContext {
  fs: ImageFilesystem;
  os?: OsInfo;
  /** Non-fatal problems worth telling the user (a package db that could not be parsed is NOT one: that throws). */
  warnings: string[];
}

/**
 * One extractor per parsing logic (not per file name). The claim decides from
 * path and header alone; the walker reads the bytes; the extractor only parses.
 */
export interface Extractor extends FileClaim {
  extract(ctx: ExtractContext): Package[];
}
