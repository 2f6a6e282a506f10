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
  /** Per-layer results of the LayerScanners (secrets, malware), by scanner name; JSON. */
  scans?: Record<string, unknown>;
  /** Non-fatal oddities: claimed files over their size limit, unsupported entry types. */
  warnings: string[];
}

/** Cheap decision from path and header only; no byte of the file is read to make it. */
export interface FileClaim {
  readonly name: string;
  wants(path: string, entry: LayerEntry): boolean;
  /** Bytes beyond which a claimed file is not captured (a warning is recorded instead). */
  readonly maxBytes: number;
  /**
   * For claims on big files (archives, binaries): decide from the first bytes whether to
   * keep reading. Without it every wanted file is read.
   */
  sniff?(head: Buffer): boolean;
  /**
   * Boil the content down to what the extractor needs (a jar's pom.properties, a binary's
   * build info) as soon as it is read, so only the small result is kept, cached and
   * merged; undefined keeps nothing. Without it the content is kept as read.
   */
  reduce?(path: string, content: Buffer): Buffer | undefined;
}

/** Receives one file's body as it streams past. A chunk is only valid during the call: copy what you keep. */
export interface FileSink {
  data(chunk: Buffer): void | Promise<void>;
  /** A returned promise holds the walk (backpressure); its rejection fails the layer. */
  end(): void | Promise<void>;
}

/**
 * A consumer that sees every regular file of every layer, deleted ones included, as the
 * layer streams past, beside the claims: the secret and malware scanners. Unlike a claim
 * it never makes the walker keep a file; it keeps its own per-layer results.
 */
export interface LayerScanner {
  readonly name: string;
  /**
   * Stands for the scanner's rules and settings in the layer-cache key. undefined when the
   * results depend on something outside cavas (a clamd's signatures): then no layer is
   * taken from the cache while this scanner runs.
   */
  readonly cacheKey: string | undefined;
  /** One LayerScan per layer walked. */
  begin(where: string): LayerScan;
}

export interface LayerScan {
  /** For each regular file: a sink for its bytes, or undefined to skip it. */
  file(path: string, entry: LayerEntry): FileSink | undefined;
  /** After the layer's last file: the JSON-serialisable result stored in LayerAnalysis.scans. */
  finish(): unknown;
}
