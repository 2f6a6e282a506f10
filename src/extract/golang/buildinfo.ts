/**
 * Go build info, as Go's debug/buildinfo reads it: a 32-byte header starting with
 * "\xff Go buildinf:" in .go.buildinfo (or, without section headers, somewhere 16-byte
 * aligned in a writable segment), then the toolchain version and the module info.
 * Go >= 1.18 stores both strings inline after the header (flag bit 2); older
 * toolchains store two pointers to Go string headers elsewhere in the binary.
 */
import { type ElfFile, PF_W } from '../binary/elf.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const ALIGN = 16;
/** Go reads at most this much from where the header starts. */
const SEARCH_BYTES = 64 * 1024;
/** Go's own cap on a pointed-to string. */
const MAX_STRING = 1 << 20;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE = 2;
const EMPTY = Buffer.alloc(0);

export interface GoModule {
  path: string;
  version: string;
  /** `=>` line: the module the build really used instead. */
  replace?: { path: string; version: string };
}

export interface GoBuildInfo {
  /** Toolchain, as stamped: go1.19.8, go1.21rc2, "devel go1.23-abc ..." */
  goVersion: string;
  /** Main package path (`path` line), absent for binaries built without modules info. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
}

/** The build info of a Go binary; undefined for anything else. */
export function readGoBuildInfo(elf: ElfFile): GoBuildInfo | undefined {
  const blob = findHeader(elf);
  if (!blob) return undefined;
  const ptrSize = blob[14]!;
  const flags = blob[15]!;
  let version: Buffer;
  let mod: Buffer;
  if ((flags & FLAG_INLINE) !== 0) {
    const v = decodeString(blob, HEADER_SIZE);
    if (!v) return undefined;
    version = v.value;
    mod = decodeString(blob, v.next)?.value ?? EMPTY;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return undefined;
    const big = (flags & FLAG_BIG_ENDIAN) !== 0;
    const readPtr = (b: Buffer, off: number): bigint =>
      ptrSize === 8 ? (big ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off)) : BigInt(big ? b.readUInt32BE(off) : b.readUInt32LE(off));
    const readString = (addr: bigint): Buffer => {
      const hdr = elf.readAt(addr, 2 * ptrSize);
      if (!hdr || hdr.length < 2 * ptrSize) return EMPTY;
      const len = readPtr(hdr, ptrSize);
      if (len > BigInt(MAX_STRING)) return EMPTY;
      const data = elf.readAt(readPtr(hdr, 0), Number(len));
      return data && data.length === Number(len) ? data : EMPTY;
    };
    if (blob.length < 16 + 2 * ptrSize) return undefined;
    version = readString(readPtr(blob, 16));
    mod = readString(readPtr(blob, 16 + ptrSize));
  }
  if (version.length === 0) return undefined;
  // module info is framed by two 16-byte binary sentinels (cmd/go's infoStart/infoEnd)
  const modText = mod.length >= 33 && mod[mod.length - 17] === 0x0a ? mod.toString('utf8', 16, mod.length - 16) : '';
  return { goVersion: version.toString('utf8'), ...parseModInfo(modText) };
}

function findHeader(elf: ElfFile): Buffer | undefined {
  const sec = elf.section('.go.buildinfo');
  if (sec) return headerIn(elf.buf, sec.offset, sec.offset + sec.size);
  // stripped of section headers: Go looks through the writable data
  if (elf.sections.length > 0) return undefined;
  for (const seg of elf.loadSegments()) {
    if ((seg.flags & PF_W) === 0) continue;
    const found = headerIn(elf.buf, seg.offset, seg.offset + seg.filesz);
    if (found) return found;
  }
  return undefined;
}

/** The header at the first 16-byte aligned magic in buf[start, end), with what follows it. */
function headerIn(buf: Buffer, start: number, end: number): Buffer | undefined {
  const data = buf.subarray(start, end);
  let from = 0;
  for (;;) {
    const i = data.indexOf(MAGIC, from);
    if (i < 0 || data.length - i < HEADER_SIZE) return undefined;
    if (i % ALIGN === 0) return buf.subarray(start + i, Math.min(start + i + SEARCH_BYTES, buf.length));
    from = (i + ALIGN - 1) & ~(ALIGN - 1);
  }
}

/** A uvarint length and that many bytes; undefined where Go would give up. */
function decodeString(data: Buffer, off: number): { value: Buffer; next: number } | undefined {
  let len = 0;
  let shift = 1;
  let i = off;
  for (;;) {
    if (i >= data.length || i - off >= 10) return undefined;
    const b = data[i++]!;
    len += (b & 0x7f) * shift;
    if (b < 0x80) break;
    shift *= 128;
  }
  if (len === 0 || len > data.length - i) return undefined;
  return { value: data.subarray(i, i + len), next: i + len };
}

/** runtime/debug's module info text: tab-separated `path`, `mod`, `dep`, `=>` lines. */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const info: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const key = line.slice(0, tab);
    const fields = line.slice(tab + 1).split('\t');
    const path = fields[0] ?? '';
    const version = fields[1] ?? '';
    if (key === 'path') info.path = path;
    else if (key === 'mod' || key === 'dep') {
      if (path === '') continue;
      last = { path, version };
      if (key === 'mod') info.main = last;
      else info.deps.push(last);
    } else if (key === '=>' && last && path !== '') {
      last.replace = { path, version };
      last = undefined;
    }
  }
  return info;
}
