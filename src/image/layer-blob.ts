import { CavasError } from '../util/errors.js';
import { BlobDecoder, DEFAULT_LIMITS, type Compression, type DecompressionLimits } from './decompress.js';
import type { FileClaim, LayerAnalysis, LayerScanner } from './layer.js';
import { LayerWalker } from './walk-layer.js';

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
  /** See every file as it streams past (secrets, malware). */
  scanners?: readonly LayerScanner[];
  limits?: DecompressionLimits;
}

/**
 * Takes a layer blob's stored bytes as they arrive and, in the same pass, hashes them,
 * decompresses, hashes the tar and walks it: everything a layer needs from one read.
 */
export class LayerBlobReader {
  private readonly walker: LayerWalker;
  private readonly decoder: BlobDecoder;

  constructor(opts: AnalyzeOptions) {
    this.walker = new LayerWalker(opts.where, opts.claims, opts.scanners);
    this.decoder = new BlobDecoder(opts.where, (chunk) => this.walker.write(chunk), opts.limits ?? DEFAULT_LIMITS);
  }

  write(chunk: Buffer): Promise<void> {
    return this.decoder.write(chunk);
  }

  async end(): Promise<LayerBlobResult> {
    await this.decoder.end();
    const analysis = await this.walker.end();
    const diffId = this.decoder.plainDigest();
    analysis.diffId = diffId;
    return { digest: this.decoder.digest(), diffId, size: this.decoder.rawBytes, compression: this.decoder.compression ?? 'none', analysis };
  }

  destroy(): void {
    this.decoder.destroy();
  }
}

export async function analyzeLayerBlob(source: AsyncIterable<Buffer> | Iterable<Buffer>, opts: AnalyzeOptions): Promise<LayerBlobResult> {
  const reader = new LayerBlobReader(opts);
  try {
    for await (const chunk of source) await reader.write(chunk);
    return await reader.end();
  } catch (e) {
    reader.destroy();
    throw e;
  }
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
