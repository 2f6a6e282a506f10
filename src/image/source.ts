import type { ImageMeta, Platform } from '../types.js';
import type { DecompressionLimits } from './decompress.js';
import type { FileClaim, LayerAnalysis, LayerScanner } from './layer.js';

export interface SourceOptions {
  platform: Platform;
  /** The user named the platform: never fall back to another one. */
  platformExplicit: boolean;
  claims: readonly FileClaim[];
  /** See every file of every layer as it streams past (secrets, malware). */
  scanners?: readonly LayerScanner[];
  limits?: DecompressionLimits;
  /** Where per-layer analyses are cached (sources that can trust digests before reading). */
  cacheDir?: string;
  registry?: RegistryOptions;
  progress?: PullProgress;
}

/** How to reach registries: the CLI flags that matter to a pull. */
export interface RegistryOptions {
  insecureRegistries?: string[];
  caCertFile?: string;
  credentials?: { username: string; password: string };
  timeoutMs?: number;
}

/** Told about each layer of a pull, for a progress display. */
export interface PullProgress {
  layer(index: number, digest: string, size: number): void;
  bytes(index: number, n: number): void;
  done(index: number, how: 'cached' | 'pulled'): void;
  finish(): void;
}

export interface LoadedImage {
  meta: ImageMeta;
  /** One analysis per layer, in layer order. */
  layers: LayerAnalysis[];
  warnings: string[];
}

/** One way of getting an image: a transport as skopeo names it. */
export interface ImageSource {
  readonly transport: string;
  /** `target` is the part after `transport:`; `ref` is the whole reference for messages. */
  load(target: string, ref: string, opts: SourceOptions): Promise<LoadedImage>;
}
