/**
 * A synchronous zip reader over a Buffer. The walker's `reduce` hook is synchronous, so
 * yauzl (callbacks and streams) cannot serve it; what a jar scan needs is small: the
 * central directory and a few entries, each inflated with a hard output cap. Offsets and
 * sizes come from the archive, so each is checked before it is used.
 */
import zlib from 'node:zlib';

const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIG = 0x04034b50;
const LOCAL_SIZE = 30;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
const U32_MAX = 0xffffffff;
const EOCD_MARK = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The archive breaks a limit on purpose or not: reading it any further is not safe. */
export class ZipLimitError extends Error {}

/** One entry is bigger than the caller wants to hold; the rest of the archive is fine. */
export class ZipEntryTooBigError extends Error {}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export class ZipArchive {
  private constructor(
    private readonly buf: Buffer,
    /** Bytes prepended to the archive (a launch script): every stored offset is relative to it. */
    private readonly base: number,
    private readonly cdStart: number,
    private readonly cdEnd: number,
    readonly entryCount: number,
  ) {}

  /** Throws an Error when there is no readable central directory. */
  static open(buf: Buffer): ZipArchive {
    const tailStart = Math.max(0, buf.length - EOCD_SIZE - 0xffff);
    const at = buf.subarray(tailStart).lastIndexOf(EOCD_MARK);
    if (at < 0 || tailStart + at + EOCD_SIZE > buf.length) throw new Error('no zip end-of-central-directory record');
    const eocd = tailStart + at;
    let count = buf.readUInt16LE(eocd + 10);
    let cdSize: number = buf.readUInt32LE(eocd + 12);
    let cdOffset: number = buf.readUInt32LE(eocd + 16);
    let base = 0;
    const loc = eocd - 20;
    if ((count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) && loc >= 0 && buf.readUInt32LE(loc) === ZIP64_LOCATOR_SIG) {
      const z = safeNumber(buf.readBigUInt64LE(loc + 8));
      if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD_SIG) throw new Error('bad zip64 end-of-central-directory record');
      count = safeNumber(buf.readBigUInt64LE(z + 32));
      cdSize = safeNumber(buf.readBigUInt64LE(z + 40));
      cdOffset = safeNumber(buf.readBigUInt64LE(z + 48));
    } else {
      // an executable jar starts with a shell script the offsets do not count
      base = eocd - cdSize - cdOffset;
      if (base < 0) throw new Error('zip central directory lies outside the file');
    }
    const cdStart = base + cdOffset;
    if (cdStart + cdSize > buf.length) throw new Error('zip central directory lies past the end of the file');
    return new ZipArchive(buf, base, cdStart, cdStart + cdSize, count);
  }

  /** Central directory records in order; stops with an Error at the first broken one. */
  *entries(): Generator<ZipEntry> {
    const buf = this.buf;
    let p = this.cdStart;
    for (let i = 0; i < this.entryCount; i++) {
      if (p + CENTRAL_SIZE > this.cdEnd || buf.readUInt32LE(p) !== CENTRAL_SIG) throw new Error(`broken zip central directory at record ${i}`);
      const flags = buf.readUInt16LE(p + 8);
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      const next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
      if (next > this.cdEnd) throw new Error(`broken zip central directory at record ${i}`);
      const entry: ZipEntry = {
        name: buf.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1', p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen),
        flags,
        method: buf.readUInt16LE(p + 10),
        crc32: buf.readUInt32LE(p + 16),
        compressedSize: buf.readUInt32LE(p + 20),
        size: buf.readUInt32LE(p + 24),
        localOffset: buf.readUInt32LE(p + 42),
      };
      if (entry.size === U32_MAX || entry.compressedSize === U32_MAX || entry.localOffset === U32_MAX) {
        readZip64Extra(buf.subarray(p + CENTRAL_SIZE + nameLen, p + CENTRAL_SIZE + nameLen + extraLen), entry);
      }
      yield entry;
      p = next;
    }
  }

  /**
   * The entry's bytes, at most `limit` of them: a bigger declared size is a ZipLimitError
   * before anything is inflated, and so is data that inflates past its declared size.
   * Stored entries are views into the archive, not copies.
   */
  read(entry: ZipEntry, limit: number): Buffer {
    if (entry.flags & FLAG_ENCRYPTED) throw new Error('entry is encrypted');
    if (entry.size > limit) throw new ZipEntryTooBigError(`${entry.name} is ${entry.size} bytes uncompressed, over the ${limit}-byte limit`);
    const h = this.base + entry.localOffset;
    if (h + LOCAL_SIZE > this.buf.length || this.buf.readUInt32LE(h) !== LOCAL_SIG) throw new Error(`${entry.name}: bad local header`);
    const start = h + LOCAL_SIZE + this.buf.readUInt16LE(h + 26) + this.buf.readUInt16LE(h + 28);
    if (start + entry.compressedSize > this.buf.length) throw new Error(`${entry.name}: data lies past the end of the archive`);
    const raw = this.buf.subarray(start, start + entry.compressedSize);
    let data: Buffer;
    if (entry.method === METHOD_STORED) {
      if (entry.compressedSize !== entry.size) throw new Error(`${entry.name}: stored entry with two different sizes`);
      data = raw;
    } else if (entry.method === METHOD_DEFLATE) {
      try {
        // one spare byte shows data running past its declared size without inflating more
        data = zlib.inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new ZipLimitError(`${entry.name} inflates past its declared ${entry.size} bytes`);
        }
        throw new Error(`${entry.name}: bad deflate data`);
      }
      if (data.length !== entry.size) throw new Error(`${entry.name}: inflates to ${data.length} bytes, not the declared ${entry.size}`);
    } else {
      throw new Error(`${entry.name}: unsupported compression method ${entry.method}`);
    }
    if (zlib.crc32(data) !== entry.crc32) throw new Error(`${entry.name}: CRC-32 mismatch`);
    return data;
  }
}

function readZip64Extra(extra: Buffer, entry: ZipEntry): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const end = Math.min(p + 4 + len, extra.length);
      const take = (): number => {
        if (q + 8 > end) throw new Error(`${entry.name}: short zip64 extra field`);
        const v = safeNumber(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (entry.size === U32_MAX) entry.size = take();
      if (entry.compressedSize === U32_MAX) entry.compressedSize = take();
      if (entry.localOffset === U32_MAX) entry.localOffset = take();
      return;
    }
    p += 4 + len;
  }
}
