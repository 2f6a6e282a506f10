/**
 * Reads every file of a zip archive into memory, one bounded entry at a time.
 *
 * yauzl parses the central directory; entry data is read and inflated here synchronously.
 * OSV zips hold thousands of tiny JSON files, and a yauzl read stream per entry (plus two async
 * reads per central directory record) cost more than parsing the JSON. Here the file is read
 * through a window of up to 4 MiB, so a whole zip costs a handful of read calls, and each entry
 * is one `inflateRawSync` call.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { CavasError, describeError } from '../../util/errors.js';
import { feedError, type FeedContext } from './feed.js';

export interface ZipLimits {
  /** Largest uncompressed entry accepted (the biggest real OSV record is ~200 KB). */
  maxEntryBytes: number;
  /** Stop when the entries' uncompressed sizes add up to more than this (zip bomb). */
  maxTotalBytes: number;
}

const WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Reading is synchronous, so the event loop gets a turn this often: the update downloads the
 * next feeds (with an idle timeout) while this one is parsed.
 */
const MAX_BUSY_MS = 20;
const LOCAL_HEADER_BYTES = 30;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/**
 * Synchronous reads of a file through a buffer of the bytes after the last miss, so
 * sequential small reads cost one system call per window.
 */
class WindowedFile {
  private readonly window: Buffer;
  private start = 0;
  private end = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    this.window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, size));
  }

  /** `length` bytes at `position`; the view is valid only until the next call. */
  read(position: number, length: number): Buffer {
    if (position >= this.start && position + length <= this.end) {
      return this.window.subarray(position - this.start, position + length - this.start);
    }
    if (position + length > this.size) throw new Error('unexpected EOF');
    // An entry bigger than the window gets a buffer of its own and leaves the window alone.
    const own = length > this.window.length;
    const wanted = own ? length : Math.min(this.window.length, this.size - position);
    const target = own ? Buffer.allocUnsafe(length) : this.window;
    let got = 0;
    while (got < wanted) {
      const n = readSync(this.fd, target, got, wanted - got, position + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) throw new Error('unexpected EOF');
    if (!own) {
      this.start = position;
      this.end = position + got;
    }
    return target.subarray(0, length);
  }
}

/**
 * Serves yauzl's central directory reads from a WindowedFile. The callback runs synchronously,
 * which yauzl's lazy entry reading tolerates (its listeners are in place before each read).
 */
class WindowedReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: WindowedFile) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    let err: Error | null = null;
    try {
      this.file.read(position, length).copy(buffer, offset);
    } catch (e) {
      err = e instanceof Error ? e : new Error(String(e));
    }
    // yauzl checks the byte count it is given against the length it asked for.
    (callback as (err: Error | null, bytesRead?: number) => void)(err, err === null ? length : 0);
  }
}

/** The entry's contents, checked against the sizes and CRC-32 in the central directory. */
function entryData(file: WindowedFile, entry: yauzl.Entry): Buffer {
  if ((entry.generalPurposeBitFlag & 0x1) !== 0) throw new Error('entry is encrypted');
  if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATE) {
    throw new Error(`unsupported compression method: ${entry.compressionMethod}`);
  }
  const header = file.read(entry.relativeOffsetOfLocalHeader, LOCAL_HEADER_BYTES);
  const signature = header.readUInt32LE(0);
  if (signature !== LOCAL_HEADER_SIGNATURE) {
    throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  }
  // The local name and extra field may differ in length from the central directory's copies.
  const dataStart = entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (dataStart + entry.compressedSize > file.size) {
    throw new Error(`file data overflows file bounds: ${dataStart} + ${entry.compressedSize} > ${file.size}`);
  }
  const raw = file.read(dataStart, entry.compressedSize);
  let data: Buffer;
  if (entry.compressionMethod === METHOD_STORED) {
    // yauzl already refused a stored entry whose two sizes differ; copy out of the window.
    data = Buffer.from(raw);
  } else {
    try {
      // One spare byte of output tells an entry that inflates past its declared size (the
      // per-entry limit was checked against that size) without inflating any further.
      data = zlib.inflateRawSync(raw, {
        maxOutputLength: entry.uncompressedSize + 1,
        chunkSize: Math.max(zlib.constants.Z_MIN_CHUNK, entry.uncompressedSize + 1),
      });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`too many bytes in the stream. expected ${entry.uncompressedSize}. got at least ${entry.uncompressedSize + 1}`);
      }
      throw e;
    }
    if (data.length !== entry.uncompressedSize) {
      throw new Error(`not enough bytes in the stream. expected ${entry.uncompressedSize}. got only ${data.length}`);
    }
  }
  const crc = zlib.crc32(data);
  if (crc !== entry.crc32) {
    throw new Error(`CRC-32 mismatch: expected 0x${entry.crc32.toString(16)}, got 0x${crc.toString(16)}`);
  }
  return data;
}

/** Zip entries with their contents, in central directory order; directories are skipped. */
export async function* readZipEntries(
  filePath: string,
  ctx: FeedContext,
  limits: ZipLimits,
): AsyncGenerator<{ name: string; data: Buffer }> {
  let fd: number;
  let zip: yauzl.ZipFile;
  try {
    fd = openSync(filePath, 'r');
  } catch (e) {
    throw feedError(ctx, `not a readable zip archive (${describeError(e)})`, e);
  }
  try {
    const file = new WindowedFile(fd, fstatSync(fd).size);
    try {
      // validateEntrySizes makes yauzl refuse a stored entry whose two sizes differ.
      zip = await yauzl.fromRandomAccessReaderPromise(new WindowedReader(new WindowedFile(fd, file.size)), file.size, {
        lazyEntries: true,
        autoClose: false,
        validateEntrySizes: true,
      });
    } catch (e) {
      throw feedError(ctx, `not a readable zip archive (${describeError(e)})`, e);
    }
    try {
      let total = 0;
      let busySince = performance.now();
      for await (const entry of zip.eachEntry()) {
        if (performance.now() - busySince > MAX_BUSY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          busySince = performance.now();
        }
        if (entry.fileName.endsWith('/')) continue;
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          throw feedError(ctx, `zip entry ${entry.fileName} is ${entry.uncompressedSize} bytes uncompressed, over the ${limits.maxEntryBytes}-byte limit`);
        }
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw feedError(ctx, `zip entries add up to more than ${limits.maxTotalBytes} bytes uncompressed (zip bomb?), stopped at ${entry.fileName}`);
        }
        let data: Buffer;
        try {
          data = entryData(file, entry);
        } catch (e) {
          throw feedError(ctx, `corrupt zip archive (${describeError(e)}) at zip entry ${entry.fileName}`, e);
        }
        yield { name: entry.fileName, data };
      }
    } catch (e) {
      if (e instanceof CavasError) throw e;
      throw feedError(ctx, `corrupt zip archive (${describeError(e)})`, e);
    } finally {
      zip.close();
    }
  } finally {
    closeSync(fd);
  }
}
