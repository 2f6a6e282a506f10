import type { Readable } from 'node:stream';
import { CavasError } from '../util/errors.js';
import { DEFAULT_LIMITS, openDecompressed, type Compression, type DecompressionLimits } from './decompress.js';
import type { FileClaim, LayerAnalysis } from './layer.js';
import { walkLayerTar } from './walk-layer.js';

export interface LayerBlobResult {
  /** sha256 of the bytes as stored. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  size: number;
  compression: Compression;
  analysis: LayerAnalysis;
}

export interface AnalyzeOptions {
  where: string;
  claims: readonly FileClaim[];
  limits?: DecompressionLimits;
}

/** Decompress once, hash both forms, walk the tar: everything a layer needs in one read. */
export async function analyzeLayerBlob(source: Readable, opts: AnalyzeOptions): Promise<LayerBlobResult> {
  const { compression, raw, plain } = await openDecompressed(source, opts.where, opts.limits ?? DEFAULT_LIMITS);
  const analysis = await walkLayerTar(plain, '', opts.where, opts.claims);
  const diffId = plain.digest();
  analysis.diffId = diffId;
  return { digest: plain === raw ? diffId : raw.digest(), diffId, size: raw.bytes, compression, analysis };
}

/** Check a layer against the digests its manifest and config name. */
export function verifyLayer(result: LayerBlobResult, where: string, expect: { digest?: string; diffId?: string; size?: number }): void {
  if (expect.digest && expect.digest !== result.digest) {
    throw new CavasError('DIGEST_MISMATCH', `${where}: digest mismatch (want ${short(expect.digest)}, got ${short(result.digest)})`);
  }
  if (expect.diffId && expect.diffId !== result.diffId) {
    throw new CavasError('DIGEST_MISMATCH', `${where}: diff_id mismatch (config says ${short(expect.diffId)}, content is ${short(result.diffId)})`);
  }
  if (expect.size !== undefined && expect.size !== result.size) {
    throw new CavasError('DIGEST_MISMATCH', `${where}: size mismatch (want ${expect.size} bytes, got ${result.size})`);
  }
}

export function short(digest: string): string {
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest.slice(0, 19);
}
