/** What one layer holds, as the walker records it. Serialisable, so it can be cached by diff_id. */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface LayerEntry {
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  /** symlink: resolved target path inside the image root; hardlink: the path it links to. */
  link?: string;
}

export interface CapturedContent {
  path: string;
  content: Buffer;
}

export interface LayerAnalysis {
  diffId: string;
  entries: LayerEntry[];
  /** Paths deleted in lower layers by `.wh.NAME` entries of this layer. */
  whiteouts: string[];
  /** Directories whose lower-layer content this layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Contents of the files some claim asked for, by path. */
  captured: CapturedContent[];
  /** Non-fatal oddities: claimed files over their size limit, unsupported entry types. */
  warnings: string[];
}

/** Cheap decision from path and header only; no byte of the file is read to make it. */
export interface FileClaim {
  readonly name: string;
  wants(path: string, entry: LayerEntry): boolean;
  /** Bytes beyond which a claimed file is not captured (a warning is recorded instead). */
  readonly maxBytes: number;
}
