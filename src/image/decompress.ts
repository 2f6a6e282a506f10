import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { CavasError } from '../util/errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface DecompressionLimits {
  /** Largest uncompressed size accepted for one stream. */
  maxBytes: number;
  /** Largest uncompressed/compressed ratio accepted once past ratioGraceBytes (gzip bombs). */
  maxRatio: number;
  ratioGraceBytes: number;
}

export const DEFAULT_LIMITS: DecompressionLimits = {
  maxBytes: 16 * 1024 ** 3,
  // deflate tops out near 1032:1, so a 1000:1 bound would never fire for gzip;
  // real layers stay far below 50:1 even when mostly text
  maxRatio: 250,
  ratioGraceBytes: 64 * 1024 ** 2,
};

/** Counts and hashes the bytes that pass through it. */
export class HashingCounter extends Transform {
  private readonly hash: Hash | undefined;
  bytes = 0;
  constructor(hash = true) {
    super({ highWaterMark: 1024 * 1024 });
    this.hash = hash ? createHash('sha256') : undefined;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    if (!this.hash) throw new Error('digest() of a stream opened without hashing');
    return 'sha256:' + this.hash.digest('hex');
  }
}

/** Stops a decompression stream that grows past its limits. */
class LimitGuard extends Transform {
  bytes = 0;
  constructor(
    private readonly compressed: HashingCounter,
    private readonly limits: DecompressionLimits,
    private readonly where: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes) {
      cb(new CavasError('LIMIT_EXCEEDED', `${this.where}: uncompressed size exceeds the limit of ${this.limits.maxBytes} bytes`));
      return;
    }
    if (this.bytes > this.limits.ratioGraceBytes && this.bytes > this.limits.maxRatio * Math.max(1, this.compressed.bytes)) {
      cb(
        new CavasError(
          'LIMIT_EXCEEDED',
          `${this.where}: decompresses more than ${this.limits.maxRatio}:1 (${this.bytes} bytes from ${this.compressed.bytes}); refusing a likely decompression bomb`,
        ),
      );
      return;
    }
    cb(null, chunk);
  }
}

class ZstdTransform extends Transform {
  private readonly z = new ZstdDecompress((chunk) => {
    this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.z.push(chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Wait for the first bytes of a stream without consuming them. */
export async function peek(stream: Readable, n: number): Promise<Buffer> {
  for (;;) {
    // read(n) answers null until n bytes are buffered, or hands over the rest once the stream ended
    const chunk = stream.read(n) as Buffer | null;
    if (chunk) {
      stream.unshift(chunk);
      return chunk;
    }
    if (stream.readableEnded || stream.destroyed) return Buffer.alloc(0);
    const ended = await new Promise<boolean>((resolve, reject) => {
      const onReadable = (): void => { cleanup(); resolve(false); };
      const onEnd = (): void => { cleanup(); resolve(true); };
      const onError = (e: Error): void => { cleanup(); reject(e); };
      const cleanup = (): void => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
      };
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
    });
    if (ended) return Buffer.alloc(0);
  }
}

export interface OpenedStream {
  compression: Compression;
  /** Counts/hashes the stored bytes. */
  raw: HashingCounter;
  /** Counts/hashes the decompressed bytes; read the content from here. Same object as raw when uncompressed. */
  plain: HashingCounter;
}

/** zlib's default 16 KiB output chunks cost a threadpool round trip each; bigger chunks keep both threads busy. */
const ZLIB_CHUNK = 256 * 1024;

/**
 * Hash the stored bytes, detect the compression from magic bytes (media types
 * lie often enough that the bytes are the better witness), decompress within
 * limits and hash the result: one pass gives both the blob digest and diff_id.
 * With `hash: false` (the outer archive, whose digest nobody names) nothing is hashed.
 */
export async function openDecompressed(
  source: Readable,
  where: string,
  limits: DecompressionLimits = DEFAULT_LIMITS,
  opts: { hash?: boolean } = {},
): Promise<OpenedStream> {
  const hash = opts.hash ?? true;
  const raw = new HashingCounter(hash);
  source.on('error', (e) => raw.destroy(e));
  source.pipe(raw);
  const head = await peek(raw, 4);
  const compression = sniffCompression(head);
  // an uncompressed blob's digest is its diff_id: hash it once
  if (compression === 'none') return { compression, raw, plain: raw };
  const plain = new HashingCounter(hash);
  const decoder = compression === 'gzip' ? createGunzip({ chunkSize: ZLIB_CHUNK }) : new ZstdTransform();
  const guard = new LimitGuard(raw, limits, where);
  raw.on('error', (e) => decoder.destroy(e));
  decoder.on('error', (e) => guard.destroy(wrapDecodeError(e, compression, where)));
  guard.on('error', (e) => plain.destroy(e));
  raw.pipe(decoder).pipe(guard).pipe(plain);
  return { compression, raw, plain };
}

function wrapDecodeError(e: Error, compression: Compression, where: string): Error {
  if (e instanceof CavasError) return e;
  return new CavasError('BAD_LAYER', `${where}: corrupt or truncated ${compression} data (${e.message})`, { cause: e });
}
