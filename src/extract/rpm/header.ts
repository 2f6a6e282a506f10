/**
 * RPM header blobs as the rpmdb stores them: no lead, no header magic, just
 * `il` (index entry count) and `dl` (data length), both big-endian, then il
 * 16-byte index entries (tag, type, offset, count) and dl bytes of data.
 * Hand-written because no maintained npm library reads RPM headers; the checks
 * follow rpm's own (header.c: tag and data limits, alignment, strings that end
 * inside the data) so a hostile blob cannot make us read outside it or loop long.
 */
import { CavasError } from '../../util/errors.js';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

export const RPM_TYPE = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** rpm's HEADER_TAGS_MAX and HEADER_DATA_MAX (header_internal.h). */
export const MAX_INDEX_ENTRIES = 0xffff;
export const MAX_DATA_LENGTH = 0x0fffffff;

const ENTRY_SIZE = 16;
/** HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE: the first entry of a region, pointing at its trailer. */
const REGION_TAG_MIN = 61;
const REGION_TAG_MAX = 63;
const ALIGN: Readonly<Record<number, number>> = { 3: 2, 4: 4, 5: 8 };
const WIDTH: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

export type RpmValue = number[] | bigint[] | string | string[] | Buffer;

/** Every tag of a header, decoded; a later entry for the same tag wins, as rpm's dribble entries do. */
export type RpmHeader = Map<number, RpmValue>;

function fail(where: string, what: string): never {
  throw new CavasError('BAD_PACKAGE_DB', `${where}: ${what}`);
}

/** Offset of the NUL ending the string at `from`, or -1 when none before `end`. */
function stringEnd(buf: Buffer, from: number, end: number): number {
  const i = buf.indexOf(0, from);
  return i === -1 || i >= end ? -1 : i;
}

/** Parse one header blob. `where` names it in errors (file and record). */
export function parseRpmHeader(blob: Buffer, where: string): RpmHeader {
  if (blob.length < 8) fail(where, `header is ${blob.length} bytes, shorter than its 8-byte preamble`);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il === 0) fail(where, 'header has no index entries');
  if (il > MAX_INDEX_ENTRIES) fail(where, `header claims ${il} index entries, over rpm's limit of ${MAX_INDEX_ENTRIES}`);
  if (dl > MAX_DATA_LENGTH) fail(where, `header claims ${dl} data bytes, over rpm's limit of ${MAX_DATA_LENGTH}`);
  const dataStart = 8 + il * ENTRY_SIZE;
  const dataEnd = dataStart + dl;
  if (dataEnd > blob.length) fail(where, `header is truncated: ${il} index entries and ${dl} data bytes need ${dataEnd} bytes, have ${blob.length}`);

  const header: RpmHeader = new Map();
  // rpm requires the entries after the region tag to point at ascending, non-overlapping
  // data; that also keeps the work linear in the blob's size.
  const regionTag = blob.readUInt32BE(8);
  const first = regionTag >= REGION_TAG_MIN && regionTag <= REGION_TAG_MAX ? 1 : 0;
  let previousEnd = 0;
  for (let i = first; i < il; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const tag = blob.readUInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    const entry = `index entry ${i} (tag ${tag})`;
    if (type > RPM_TYPE.I18NSTRING) fail(where, `${entry} has unknown type ${type}`);
    if (offset < 0 || offset >= dl) fail(where, `${entry} offset ${offset} is outside the ${dl} data bytes`);
    if (count === 0 || count > dl) fail(where, `${entry} count ${count} does not fit the ${dl} data bytes`);
    const align = ALIGN[type];
    if (align && offset % align !== 0) fail(where, `${entry} offset ${offset} is not aligned for its type`);
    if (offset < previousEnd) fail(where, `${entry} data overlaps the previous entry's`);
    const start = dataStart + offset;
    const width = WIDTH[type];
    if (width !== undefined) {
      if (offset + count * width > dl) fail(where, `${entry} runs past the end of the data`);
      previousEnd = offset + count * width;
      if (type === RPM_TYPE.INT32) header.set(tag, Array.from({ length: count }, (_, k) => blob.readUInt32BE(start + 4 * k)));
      else if (type === RPM_TYPE.INT16) header.set(tag, Array.from({ length: count }, (_, k) => blob.readUInt16BE(start + 2 * k)));
      else if (type === RPM_TYPE.INT64) header.set(tag, Array.from({ length: count }, (_, k) => blob.readBigUInt64BE(start + 8 * k)));
      else header.set(tag, Buffer.from(blob.subarray(start, start + count)));
      continue;
    }
    if (type === RPM_TYPE.STRING && count !== 1) fail(where, `${entry} is a STRING with count ${count}`);
    const strings: string[] = [];
    let p = start;
    for (let k = 0; k < count; k++) {
      const end = stringEnd(blob, p, dataEnd);
      if (end === -1) fail(where, `${entry} string ${k} is not terminated inside the data`);
      strings.push(blob.toString('utf8', p, end));
      p = end + 1;
    }
    previousEnd = p - dataStart;
    header.set(tag, type === RPM_TYPE.STRING ? strings[0]! : strings);
  }
  return header;
}

/** A STRING tag, or the first (untranslated) string of an I18NSTRING or STRING_ARRAY. */
export function headerString(h: RpmHeader, tag: number): string | undefined {
  const v = h.get(tag);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export function headerInt(h: RpmHeader, tag: number): number | undefined {
  const v = h.get(tag);
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined;
}

/** One record of a package db: its key (header number) and the header blob. */
export interface RawHeader {
  key: number;
  blob: Buffer;
}
