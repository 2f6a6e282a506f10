import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
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

/** zlib's default 16 KiB output chunks cost a threadpool round trip each; bigger chunks keep both threads busy. */
const ZLIB_CHUNK = 256 * 1024;
/** Decoded bytes may queue this far ahead of the consumer, so the decoder thread never waits for the walker. */
const DECODED_BUFFER = 4 * 1024 * 1024;

export type ChunkConsumer = (chunk: Buffer) => void | Promise<void>;

/**
 * Takes stored blob bytes pushed to it, detects the compression from magic bytes (media
 * types lie often enough that the bytes are the better witness), decompresses within
 * limits and hands the plain bytes to a consumer, hashing both forms on the way: one
 * pass gives both the blob digest and the diff_id.
 *
 * The consumer runs in its own loop over the decoder's buffered output instead of inside
 * the decoder's callbacks, so zlib inflates the next chunk on the threadpool while the
 * main thread walks the previous one.
 */
export class BlobDecoder {
  compression: Compression | undefined;
  rawBytes = 0;
  plainBytes = 0;
  private readonly rawHash: Hash | undefined;
  private plainHash: Hash | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private decoder: Transform | undefined;
  private consumed: Promise<void> | undefined;

  constructor(
    private readonly where: string,
    private readonly consumer: ChunkConsumer,
    private readonly limits: DecompressionLimits = DEFAULT_LIMITS,
    opts: { hash?: boolean } = {},
  ) {
    if (opts.hash ?? true) this.rawHash = createHash('sha256');
  }

  async write(chunk: Buffer): Promise<void> {
    this.rawBytes += chunk.length;
    this.rawHash?.update(chunk);
    if (this.compression === undefined) {
      // four bytes tell gzip and zstd apart from a plain tar
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < 4) return;
      this.start(Buffer.concat(this.head));
      const first = Buffer.concat(this.head);
      this.head = [];
      return this.feed(first);
    }
    return this.feed(chunk);
  }

  async end(): Promise<void> {
    if (this.compression === undefined) {
      this.start(Buffer.concat(this.head));
      const first = Buffer.concat(this.head);
      this.head = [];
      if (first.length > 0) await this.feed(first);
    }
    if (this.decoder) {
      this.decoder.end();
      await this.consumed;
    }
  }

  /** Abandon the blob (the caller failed): stop the decoder thread. */
  destroy(): void {
    this.decoder?.destroy();
  }

  /** sha256 of the stored bytes. */
  digest(): string {
    if (!this.rawHash) throw new Error('digest() of a blob decoded without hashing');
    return 'sha256:' + this.rawHash.copy().digest('hex');
  }

  /** sha256 of the decompressed bytes (the diff_id of a layer). */
  plainDigest(): string {
    if (this.compression === 'none') return this.digest();
    if (!this.plainHash) throw new Error('plainDigest() of a blob decoded without hashing');
    return 'sha256:' + this.plainHash.copy().digest('hex');
  }

  private start(head: Buffer): void {
    this.compression = sniffCompression(head);
    if (this.compression === 'none') return;
    if (this.rawHash) this.plainHash = createHash('sha256');
    const decoder =
      this.compression === 'gzip'
        ? createGunzip({ chunkSize: ZLIB_CHUNK, readableHighWaterMark: DECODED_BUFFER } as ZlibOptions)
        : new ZstdTransform({ readableHighWaterMark: DECODED_BUFFER });
    this.decoder = decoder;
    this.consumed = this.consume(decoder);
    // the consumer loop reports errors; this only keeps an early failure from going unhandled
    this.consumed.catch(() => undefined);
  }

  private async consume(decoder: Transform): Promise<void> {
    try {
      for await (const out of decoder) {
        const chunk = out as Buffer;
        this.plainBytes += chunk.length;
        this.checkLimits();
        this.plainHash?.update(chunk);
        const r = this.consumer(chunk);
        if (r) await r;
      }
    } catch (e) {
      decoder.destroy();
      if (e instanceof CavasError) throw e;
      throw new CavasError('BAD_LAYER', `${this.where}: corrupt or truncated ${this.compression} data (${(e as Error).message})`, { cause: e });
    }
  }

  private async feed(chunk: Buffer): Promise<void> {
    if (!this.decoder) {
      this.plainBytes += chunk.length;
      const r = this.consumer(chunk);
      if (r) await r;
      return;
    }
    if (!this.decoder.write(chunk)) {
      // wait for room, unless the consumer fails first (then drain never comes)
      await Promise.race([once(this.decoder, 'drain'), this.consumed]);
    }
  }

  private checkLimits(): void {
    if (this.plainBytes > this.limits.maxBytes) {
      throw new CavasError('LIMIT_EXCEEDED', `${this.where}: uncompressed size exceeds the limit of ${this.limits.maxBytes} bytes`);
    }
    if (this.plainBytes > this.limits.ratioGraceBytes && this.plainBytes > this.limits.maxRatio * Math.max(1, this.rawBytes)) {
      throw new CavasError(
        'LIMIT_EXCEEDED',
        `${this.where}: decompresses more than ${this.limits.maxRatio}:1 (${this.plainBytes} bytes from ${this.rawBytes}); refusing a likely decompression bomb`,
      );
    }
  }
}
