/**
 * Just enough of ELF to find a named section and to read bytes at a virtual address,
 * for Go build info and cargo-auditable data. Every offset comes from the file, so every
 * read is checked against its length: a truncated or hostile header is an Error with a
 * one-line reason, never an out-of-bounds read or a huge allocation.
 */

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

const SHT_NOBITS = 8;
const PT_LOAD = 1;
export const PF_W = 2;
const SHN_XINDEX = 0xffff;

export interface ElfSection {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly is64: boolean,
    readonly little: boolean,
  ) {}

  u16(off: number): number {
    return this.little ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }

  u32(off: number): number {
    return this.little ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  u64(off: number): bigint {
    return this.little ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
  }

  /** A word (address/offset/size): 4 or 8 bytes by class. */
  addr(off: number): bigint {
    return this.is64 ? this.u64(off) : BigInt(this.u32(off));
  }

  /** A word used as a file offset or size; anything past the file saturates so range checks fail. */
  size(off: number): number {
    const v = this.addr(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
}

export class ElfFile {
  readonly sections: ElfSection[] = [];
  readonly segments: ElfSegment[] = [];

  private constructor(
    readonly buf: Buffer,
    readonly is64: boolean,
    readonly littleEndian: boolean,
  ) {}

  /** Throws an Error naming what is wrong when the headers do not fit the file. */
  static parse(buf: Buffer): ElfFile {
    if (!isElf(buf)) throw new Error('not an ELF file');
    if (buf.length < 16) throw new Error('truncated ELF header');
    const cls = buf[4];
    const data = buf[5];
    if (cls !== 1 && cls !== 2) throw new Error(`unknown ELF class ${cls}`);
    if (data !== 1 && data !== 2) throw new Error(`unknown ELF data encoding ${data}`);
    const is64 = cls === 2;
    const headerSize = is64 ? 64 : 52;
    if (buf.length < headerSize) throw new Error(`truncated ELF header (${buf.length} of ${headerSize} bytes)`);
    const elf = new ElfFile(buf, is64, data === 1);
    const r = new Reader(buf, is64, data === 1);
    const w = is64 ? 8 : 4;
    const phoff = r.size(24 + w);
    const shoff = r.size(24 + 2 * w);
    const base = 24 + 3 * w + 4; // past e_flags
    const phentsize = r.u16(base + 2);
    const phnum = r.u16(base + 4);
    const shentsize = r.u16(base + 6);
    let shnum = r.u16(base + 8);
    let shstrndx = r.u16(base + 10);

    if (phnum > 0) {
      const need = is64 ? 56 : 32;
      if (phentsize < need) throw new Error(`program header entries of ${phentsize} bytes, expected at least ${need}`);
      if (phoff + phnum * phentsize > buf.length) throw new Error('program headers lie past the end of the file');
      for (let i = 0; i < phnum; i++) {
        const o = phoff + i * phentsize;
        const seg: ElfSegment = is64
          ? { type: r.u32(o), flags: r.u32(o + 4), offset: r.size(o + 8), vaddr: r.addr(o + 16), filesz: r.size(o + 32) }
          : { type: r.u32(o), flags: r.u32(o + 24), offset: r.size(o + 4), vaddr: r.addr(o + 8), filesz: r.size(o + 16) };
        if (seg.type === PT_LOAD && seg.offset + seg.filesz > buf.length) throw new Error(`segment ${i} lies past the end of the file`);
        elf.segments.push(seg);
      }
    }

    if (shoff === 0) return elf;
    const need = is64 ? 64 : 40;
    if (shentsize < need) throw new Error(`section header entries of ${shentsize} bytes, expected at least ${need}`);
    if (shoff + need > buf.length) throw new Error('section headers lie past the end of the file');
    // more than 0xff00 sections: the real count and name-table index live in section 0
    if (shnum === 0) shnum = r.size(shoff + (is64 ? 32 : 20));
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + (is64 ? 40 : 24));
    if (shoff + shnum * shentsize > buf.length) throw new Error('section headers lie past the end of the file');
    const raw: Array<{ nameOff: number; section: ElfSection }> = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      const section: ElfSection = is64
        ? { name: '', type: r.u32(o + 4), addr: r.addr(o + 16), offset: r.size(o + 24), size: r.size(o + 32) }
        : { name: '', type: r.u32(o + 4), addr: r.addr(o + 12), offset: r.size(o + 16), size: r.size(o + 20) };
      if (section.type !== SHT_NOBITS && section.type !== 0 && section.offset + section.size > buf.length) {
        throw new Error(`section ${i} lies past the end of the file`);
      }
      raw.push({ nameOff: r.u32(o), section });
    }
    if (shnum > 0) {
      const strtab = raw[shstrndx]?.section;
      if (!strtab) throw new Error(`section name table index ${shstrndx} is out of range`);
      const names = buf.subarray(strtab.offset, strtab.offset + strtab.size);
      for (const { nameOff, section } of raw) {
        if (nameOff < names.length) {
          const end = names.indexOf(0, nameOff);
          section.name = names.toString('latin1', nameOff, end < 0 ? names.length : end);
        }
        elf.sections.push(section);
      }
    }
    return elf;
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The section's bytes (empty for a section that occupies no file space). */
  sectionData(s: ElfSection): Buffer {
    if (s.type === SHT_NOBITS) return Buffer.alloc(0);
    return this.buf.subarray(s.offset, s.offset + s.size);
  }

  /** Up to `length` bytes the program would see at `vaddr`, from the loaded segment holding it. */
  readAt(vaddr: bigint, length: number): Buffer | undefined {
    for (const seg of this.segments) {
      if (seg.type !== PT_LOAD || vaddr < seg.vaddr || vaddr >= seg.vaddr + BigInt(seg.filesz)) continue;
      const start = seg.offset + Number(vaddr - seg.vaddr);
      return this.buf.subarray(start, Math.min(start + length, seg.offset + seg.filesz));
    }
    return undefined;
  }

  loadSegments(): ElfSegment[] {
    return this.segments.filter((s) => s.type === PT_LOAD);
  }
}
