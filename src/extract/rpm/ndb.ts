/**
 * rpm's own "ndb" package store (`Packages.db`, SUSE since SLES 15 SP3 and
 * openSUSE). Hand-written because no npm library reads it; the format is
 * rpm's lib/backend/ndb/rpmpkg.c, all numbers little-endian:
 *
 * - a 32-byte header: magic "RpmP", version 0, generation, slot page count, next package index;
 * - slot pages (4096 bytes each, the first after the header): 16-byte slots
 *   "Slot", package index, block offset, block count (blocks are 16 bytes; offset 0 is a free slot);
 * - blobs: "BlbS", package index, timestamp, length, the header blob, zero padding,
 *   then adler32 (over head, blob and padding), length, "BlbE".
 *
 * Blobs may not overlap, so a hostile file cannot make us read more than its size.
 */
import { CavasError } from '../../util/errors.js';
import type { RawHeader } from './header.js';

const magic = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);
const PKGDB_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const BLOBHEAD_MAGIC = magic('BlbS');
const BLOBTAIL_MAGIC = magic('BlbE');
const HEADER_SIZE = 32;
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const BLOBHEAD_SIZE = 16;
const BLOBTAIL_SIZE = 12;

export function adler32(buf: Buffer, adler = 1): number {
  let s1 = adler & 0xffff;
  let s2 = (adler >>> 16) & 0xffff;
  for (let i = 0; i < buf.length; ) {
    // reduce every 5552 bytes, as zlib does; the sums stay exact either way in a double
    const stop = Math.min(buf.length, i + 5552);
    for (; i < stop; i++) {
      s1 += buf[i]!;
      s2 += s1;
    }
    s1 %= 65521;
    s2 %= 65521;
  }
  return ((s2 << 16) | s1) >>> 0;
}

interface Slot {
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
}

export function readNdb(content: Buffer, path: string): RawHeader[] {
  function fail(what: string): never {
    throw new CavasError('BAD_PACKAGE_DB', `${path}: ${what}`);
  }
  if (content.length < HEADER_SIZE || content.readUInt32LE(0) !== PKGDB_MAGIC) fail('not an rpm ndb package database');
  const version = content.readUInt32LE(4);
  if (version !== 0) fail(`unsupported ndb version ${version}`);
  if (content.length % BLK_SIZE !== 0) fail(`size ${content.length} is not a multiple of ${BLK_SIZE}`);
  const slotPages = content.readUInt32LE(12);
  if (slotPages === 0 || slotPages * PAGE_SIZE > content.length) fail(`${slotPages} slot pages do not fit in ${content.length} bytes`);
  const fileBlocks = content.length / BLK_SIZE;
  const firstDataBlock = (slotPages * PAGE_SIZE) / BLK_SIZE;

  const slots: Slot[] = [];
  for (let off = HEADER_SIZE; off < slotPages * PAGE_SIZE; off += SLOT_SIZE) {
    if (content.readUInt32LE(off) !== SLOT_MAGIC) fail(`slot at byte ${off} has no slot magic`);
    const blkoff = content.readUInt32LE(off + 8);
    if (blkoff === 0) continue;
    const slot = { pkgidx: content.readUInt32LE(off + 4), blkoff, blkcnt: content.readUInt32LE(off + 12) };
    if (slot.pkgidx === 0 || slot.blkcnt === 0 || blkoff < firstDataBlock) fail(`slot at byte ${off} is malformed`);
    if (blkoff + slot.blkcnt > fileBlocks) fail(`truncated: package ${slot.pkgidx} ends past the end of the file`);
    slots.push(slot);
  }
  slots.sort((a, b) => a.blkoff - b.blkoff);
  const ids = new Set<number>();
  let lastEnd = firstDataBlock;
  for (const s of slots) {
    if (s.blkoff < lastEnd) fail(`package ${s.pkgidx} overlaps another package's blocks`);
    if (ids.has(s.pkgidx)) fail(`package ${s.pkgidx} has two slots`);
    ids.add(s.pkgidx);
    lastEnd = s.blkoff + s.blkcnt;
  }

  const out: RawHeader[] = [];
  for (const s of slots.sort((a, b) => a.pkgidx - b.pkgidx)) {
    const at = s.blkoff * BLK_SIZE;
    const size = s.blkcnt * BLK_SIZE;
    const what = `package ${s.pkgidx}`;
    if (size < BLOBHEAD_SIZE + BLOBTAIL_SIZE) fail(`${what}: ${s.blkcnt} blocks cannot hold a blob`);
    if (content.readUInt32LE(at) !== BLOBHEAD_MAGIC) fail(`${what}: no blob magic`);
    if (content.readUInt32LE(at + 4) !== s.pkgidx) fail(`${what}: blob belongs to package ${content.readUInt32LE(at + 4)}`);
    const len = content.readUInt32LE(at + 12);
    if (Math.ceil((BLOBHEAD_SIZE + len + BLOBTAIL_SIZE) / BLK_SIZE) !== s.blkcnt) fail(`${what}: blob length ${len} does not match its ${s.blkcnt} blocks`);
    const tail = at + size - BLOBTAIL_SIZE;
    if (content.readUInt32LE(tail + 8) !== BLOBTAIL_MAGIC || content.readUInt32LE(tail + 4) !== len) fail(`${what}: bad blob trailer`);
    if (adler32(content.subarray(at, tail)) !== content.readUInt32LE(tail)) fail(`${what}: blob checksum mismatch`);
    out.push({ key: s.pkgidx, blob: content.subarray(at + BLOBHEAD_SIZE, at + BLOBHEAD_SIZE + len) });
  }
  return out;
}
