/**
 * A push parser for tar streams (ustar, pax, GNU long names).
 *
 * Written by hand because the layer walk needs what stream-per-entry libraries make
 * expensive: a layer tar nested inside an image archive tar, fed from the outer entry's
 * body chunk by chunk, with tens of thousands of entries whose bodies are mostly skipped.
 * A stream object and an event-loop round trip per entry cost more than parsing the
 * headers; here skipping a body is an offset increment.
 */
import { CavasError } from '../util/errors.js';

const BLOCK = 512;

export interface TarHeader {
  name: string;
  /** Raw typeflag: '0' file, '1' hardlink, '2' symlink, '5' directory, ... */
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

/** Receives one entry's body; a returned promise holds the parser until it settles (backpressure). */
export interface TarEntrySink {
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** undefined skips the body without reading it. */
export type TarEntryHandler = (header: TarHeader) => TarEntrySink | undefined;

type State = 'header' | 'body' | 'padding' | 'done';

export class TarParser {
  private state: State = 'header';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private remaining = 0;
  private padding = 0;
  private sink: TarEntrySink | undefined;
  private pax: Record<string, string> = {};
  private globalPax: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Metadata entries (pax, GNU long names) are gathered here instead of a sink. */
  private meta: { kind: string; parts: Buffer[] } | undefined;
  private zeroBlocks = 0;
  bytesSeen = 0;

  constructor(
    private readonly onEntry: TarEntryHandler,
    private readonly where: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.bytesSeen += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.state) {
        case 'done':
          return; // trailing bytes after the end-of-archive marker are ignored, as tar does
        case 'body': {
          const take = Math.min(this.remaining, chunk.length - offset);
          const piece = chunk.subarray(offset, offset + take);
          offset += take;
          this.remaining -= take;
          if (this.meta) this.meta.parts.push(Buffer.from(piece));
          else if (this.sink) {
            const r = this.sink.data(piece);
            if (r) await r;
          }
          if (this.remaining === 0) await this.finishEntry();
          break;
        }
        case 'padding': {
          const take = Math.min(this.padding, chunk.length - offset);
          offset += take;
          this.padding -= take;
          if (this.padding === 0) this.state = 'header';
          break;
        }
        case 'header': {
          const need = BLOCK - this.pendingBytes;
          const take = Math.min(need, chunk.length - offset);
          if (take === BLOCK && this.pendingBytes === 0) {
            await this.onHeaderBlock(chunk.subarray(offset, offset + BLOCK));
          } else {
            this.pending.push(chunk.subarray(offset, offset + take));
            this.pendingBytes += take;
            if (this.pendingBytes === BLOCK) {
              const block = Buffer.concat(this.pending);
              this.pending = [];
              this.pendingBytes = 0;
              await this.onHeaderBlock(block);
            }
          }
          offset += take;
          break;
        }
      }
    }
  }

  /** The input ended: fine at an entry boundary (a missing end-of-archive marker is tolerated), truncated otherwise. */
  end(): void {
    if (this.state === 'body' || this.state === 'padding' || this.pendingBytes > 0) {
      throw new CavasError('BAD_LAYER', `${this.where}: truncated tar (input ended inside an entry)`);
    }
  }

  private async onHeaderBlock(block: Buffer): Promise<void> {
    if (isZeroBlock(block)) {
      // two zero blocks end the archive; a lone one is padding some writers add
      if (++this.zeroBlocks >= 2) this.state = 'done';
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(block)) throw new CavasError('BAD_LAYER', `${this.where}: corrupt tar header (checksum mismatch at byte ${this.bytesSeen})`);
    const typeflag = String.fromCharCode(block[156] || 0x30);
    const size = this.sizeOf(block, typeflag);
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size > 16 * 1024 * 1024) throw new CavasError('BAD_LAYER', `${this.where}: tar metadata entry of ${size} bytes is too large`);
      this.meta = { kind: typeflag, parts: [] };
      this.startBody(size);
      if (size === 0) await this.finishEntry();
      return;
    }
    const header = this.buildHeader(block, typeflag, size);
    // links and directories carry no body even when a size is set (hardlinks in some writers)
    const bodySize = typeflag === '1' || typeflag === '2' || typeflag === '5' ? 0 : size;
    this.sink = this.onEntry(header);
    this.startBody(bodySize);
    if (bodySize === 0) await this.finishEntry();
  }

  private startBody(size: number): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = 'body';
  }

  private async finishEntry(): Promise<void> {
    this.state = this.padding > 0 ? 'padding' : 'header';
    if (this.meta) {
      const { kind, parts } = this.meta;
      this.meta = undefined;
      const data = Buffer.concat(parts);
      if (kind === 'x') this.pax = parsePax(data, this.where);
      else if (kind === 'g') this.globalPax = { ...this.globalPax, ...parsePax(data, this.where) };
      else if (kind === 'L') this.longName = cString(data, 0, data.length);
      else this.longLink = cString(data, 0, data.length);
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    if (sink) {
      const r = sink.end();
      if (r) await r;
    }
  }

  private sizeOf(block: Buffer, typeflag: string): number {
    const paxSize = typeflag === 'x' || typeflag === 'g' ? undefined : (this.pax.size ?? this.globalPax.size);
    if (paxSize !== undefined) {
      const n = Number(paxSize);
      if (!Number.isSafeInteger(n) || n < 0) throw new CavasError('BAD_LAYER', `${this.where}: bad pax size "${paxSize}"`);
      return n;
    }
    return numeric(block, 124, 12, this.where, 'size');
  }

  private buildHeader(block: Buffer, typeflag: string, size: number): TarHeader {
    let name = cString(block, 0, 100);
    const ustar = block.toString('latin1', 257, 262) === 'ustar';
    if (ustar) {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkname = cString(block, 157, 100);
    const pax = { ...this.globalPax, ...this.pax };
    if (this.longName !== undefined) name = this.longName;
    if (this.longLink !== undefined) linkname = this.longLink;
    if (pax.path !== undefined) name = pax.path;
    if (pax.linkpath !== undefined) linkname = pax.linkpath;
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    return {
      name,
      typeflag,
      size,
      mode: numeric(block, 100, 8, this.where, 'mode'),
      uid: pax.uid !== undefined ? Number(pax.uid) : numeric(block, 108, 8, this.where, 'uid'),
      gid: pax.gid !== undefined ? Number(pax.gid) : numeric(block, 116, 8, this.where, 'gid'),
      linkname,
    };
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) if (block.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

function checksumOk(block: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const stored = parseOctal(block, 148, 8);
  return stored === unsigned || stored === signed;
}

/** NUL-terminated field; names are UTF-8 in practice (pax paths always are). */
function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

function parseOctal(buf: Buffer, start: number, length: number): number {
  let n = 0;
  let i = start;
  const end = start + length;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** Octal, or GNU base-256 for values too large for the field. */
function numeric(buf: Buffer, start: number, length: number, where: string, field: string): number {
  if ((buf[start]! & 0x80) !== 0) {
    if (buf[start] === 0xff) throw new CavasError('BAD_LAYER', `${where}: negative tar ${field}`);
    let n = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + buf[i]!;
    if (!Number.isSafeInteger(n)) throw new CavasError('BAD_LAYER', `${where}: tar ${field} too large`);
    return n;
  }
  return parseOctal(buf, start, length);
}

/** pax records: "<len> key=value\n". */
function parsePax(data: Buffer, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const len = Number(data.toString('latin1', i, space));
    if (space < 0 || !Number.isSafeInteger(len) || len <= 0 || i + len > data.length) {
      if (data.subarray(i).every((b) => b === 0)) break;
      throw new CavasError('BAD_LAYER', `${where}: malformed pax header`);
    }
    const record = data.toString('utf8', space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}
