import type { ImageMeta, Platform } from '../types.js';
import type { DecompressionLimits } from './decompress.js';
import type { FileClaim, LayerAnalysis } from './layer.js';

export interface SourceOptions {
  platform: Platform;
  /** The user named the platform: never fall back to another one. */
  platformExplicit: boolean;
  claims: readonly FileClaim[];
  limits?: DecompressionLimits;
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
