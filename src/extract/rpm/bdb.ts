/**
 * Berkeley DB hash files: rpm's `Packages` up to RHEL/CentOS 8 and SLES 15 SP2.
 * Hand-written, read-only, because no maintained npm library reads Berkeley DB
 * (the native bindings are unmaintained and would also write lock files). Only
 * what rpm stores is supported: one hash database, keys and values on the page
 * or in overflow chains, no duplicates, no encryption. Every page is visited at
 * most once, so cycles and shared chains in a hostile file end in an error, not
 * a loop or an amplified read.
 *
 * Layout (db_page.h): page 0 is the hash meta page; every page starts with a
 * 26-byte header (pgno @8, next_pgno @16, entries @20, hf_offset @22, type @25),
 * followed by `entries` 2-byte item offsets. Numbers are in the byte order of
 * the machine that wrote the file, which the meta page's magic tells.
 */
import { CavasError } from '../../util/errors.js';
import type { RawHeader } from './header.js';

const HASH_MAGIC = 0x00061561;
const BTREE_MAGIC = 0x00053162;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export function readBdbHash(content: Buffer, path: string): RawHeader[] {
  function fail(what: string): never {
    throw new CavasError('BAD_PACKAGE_DB', `${path}: ${what}`);
  }
  if (content.length < 512) fail(`${content.length} bytes is too short for a Berkeley DB file`);
  let le: boolean;
  const magicLe = content.readUInt32LE(12);
  const magicBe = content.readUInt32BE(12);
  if (magicLe === HASH_MAGIC) le = true;
  else if (magicBe === HASH_MAGIC) le = false;
  else if (magicLe === BTREE_MAGIC || magicBe === BTREE_MAGIC) return fail('a Berkeley DB btree, not the hash database rpm writes');
  else return fail('not a Berkeley DB hash database');
  const u32 = (off: number): number => (le ? content.readUInt32LE(off) : content.readUInt32BE(off));
  const u16 = (off: number): number => (le ? content.readUInt16LE(off) : content.readUInt16BE(off));

  const version = u32(16);
  if (version < 8 || version > 10) fail(`unsupported hash version ${version}`);
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) fail(`bad page size ${pageSize}`);
  if (content[24] !== 0) fail('encrypted Berkeley DB files are not supported');
  const lastPage = u32(32);
  if ((lastPage + 1) * pageSize > content.length) {
    fail(`truncated: the meta page names ${lastPage + 1} pages of ${pageSize} bytes, the file has ${content.length} bytes`);
  }
  const maxBucket = u32(72);
  if (maxBucket > lastPage) fail(`${maxBucket + 1} buckets do not fit in ${lastPage + 1} pages`);
  const spares = Array.from({ length: 32 }, (_, i) => u32(96 + 4 * i));

  const seen = new Set<number>();
  const page = (pgno: number, what: string): number => {
    if (pgno === 0 || pgno > lastPage) fail(`${what}: page ${pgno} is outside the file (last page ${lastPage})`);
    if (seen.has(pgno)) fail(`${what}: page ${pgno} is reached twice (a cycle or a shared page)`);
    seen.add(pgno);
    const at = pgno * pageSize;
    if (u32(at + 8) !== pgno) fail(`page ${pgno} says it is page ${u32(at + 8)}`);
    return at;
  };

  const overflow = (first: number, total: number, what: string): Buffer => {
    if (total > content.length) fail(`${what}: overflow item of ${total} bytes is larger than the file`);
    const out = Buffer.alloc(total);
    let filled = 0;
    let pgno = first;
    while (filled < total) {
      if (pgno === 0) fail(`${what}: overflow chain ends after ${filled} of ${total} bytes`);
      const at = page(pgno, what);
      if (content[at + 25] !== P_OVERFLOW) fail(`${what}: page ${pgno} is type ${content[at + 25]}, expected an overflow page`);
      const len = u16(at + 22);
      if (PAGE_HEADER + len > pageSize || filled + len > total) fail(`${what}: overflow page ${pgno} holds ${len} bytes, more than fit`);
      content.copy(out, filled, at + PAGE_HEADER, at + PAGE_HEADER + len);
      filled += len;
      pgno = u32(at + 16);
      if (len === 0 && filled < total) fail(`${what}: empty overflow page ${pgno}`);
    }
    return out;
  };

  const item = (at: number, off: number, len: number, what: string): Buffer => {
    if (len < 1) fail(`${what}: empty item`);
    const kind = content[at + off];
    if (kind === H_KEYDATA) return content.subarray(at + off + 1, at + off + len);
    if (kind === H_OFFPAGE) {
      if (len !== 12) fail(`${what}: off-page item of ${len} bytes, expected 12`);
      return overflow(u32(at + off + 4), u32(at + off + 8), what);
    }
    return fail(`${what}: item type ${kind} is not used by rpm (duplicates?)`);
  };

  const out: RawHeader[] = [];
  for (let bucket = 0; bucket <= maxBucket; bucket++) {
    // db_ro's BUCKET_TO_PAGE: the spare pages of the bucket's split point come before it
    const bits = bucket === 0 ? 0 : 32 - Math.clz32(bucket);
    let pgno = bucket + (spares[bits] ?? 0);
    while (pgno !== 0) {
      const what = `bucket ${bucket} page ${pgno}`;
      const at = page(pgno, `bucket ${bucket}`);
      const type = content[at + 25];
      if (type !== P_HASH && type !== P_HASH_UNSORTED) fail(`${what} is type ${type}, expected a hash page`);
      const entries = u16(at + 20);
      if (entries % 2 !== 0) fail(`${what} has ${entries} items, not key/value pairs`);
      const itemsEnd = PAGE_HEADER + 2 * entries;
      if (itemsEnd > pageSize) fail(`${what} claims ${entries} items, more than fit`);
      // items are packed from the end of the page down; each ends where the previous one starts
      let end = pageSize;
      const items: Buffer[] = [];
      for (let i = 0; i < entries; i++) {
        const off = u16(at + PAGE_HEADER + 2 * i);
        if (off < itemsEnd || off >= end) fail(`${what}: item ${i} offset ${off} is out of order or outside the page`);
        items.push(item(at, off, end - off, `${what} item ${i}`));
        end = off;
      }
      for (let i = 0; i < items.length; i += 2) {
        const key = items[i]!;
        out.push({ key: key.length === 4 ? (le ? key.readUInt32LE(0) : key.readUInt32BE(0)) : -1, blob: items[i + 1]! });
      }
      pgno = u32(at + 16);
    }
  }
  return out;
}
