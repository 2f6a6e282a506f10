/**
 * Debian version ordering (Debian Policy 5.6.12, as dpkg implements it).
 *
 * Hand-written: no maintained npm library implements dpkg's ordering exactly
 * (the one that exists, deb-version-compare, reads digit runs with parseInt
 * and ranks punctuation its own way), and a scanner that orders a fixed
 * version one step wrong reports a false negative. The tests check this file
 * against `dpkg --compare-versions` on real archive versions.
 */
import { CavasError } from '../util/errors.js';
import type { VersionScheme } from './scheme.js';

interface DebVersion {
  epoch: number;
  /** Byte strings: one char per UTF-8 byte, so non-ASCII orders as dpkg's signed chars do. */
  upstream: string;
  revision: string;
  /** Set when dpkg would accept the version with a warning (Policy says it is not valid). */
  warning?: string;
}

const INT_MAX = 2147483647;

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// dpkg trims blanks (space, tab) only; a newline or CR is an ordinary, if invalid, character.
function isBlankCode(c: number): boolean {
  return c === 32 || c === 9;
}

function fail(v: string, reason: string): never {
  throw new CavasError('BAD_PACKAGE_DB', `invalid deb version ${JSON.stringify(v)}: ${reason}`);
}

/** Positive when the decimal digit string a is larger than b, at any length. */
function compareDigitStrings(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function toByteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** Parses like dpkg's parseversion(): throws where dpkg errors, records where it only warns. */
function parse(raw: string): DebVersion {
  let start = 0;
  while (start < raw.length && isBlankCode(raw.charCodeAt(start))) start++;
  if (start === raw.length) fail(raw, 'version string is empty');
  let end = start;
  while (end < raw.length && !isBlankCode(raw.charCodeAt(end))) end++;
  for (let i = end; i < raw.length; i++) {
    if (!isBlankCode(raw.charCodeAt(i))) fail(raw, 'version string has embedded spaces');
  }
  let s = raw.slice(start, end);

  let epoch = 0;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol() semantics: other C whitespace (blanks are gone), optional sign,
    // then digits that must run up to the colon.
    const m = /^[\n\v\f\r]*([+-]?)(\d*)/.exec(s) as RegExpExecArray;
    const digits = m[2] ?? '';
    if (digits === '') fail(raw, 'epoch in version is empty');
    if (m[0].length !== colon) fail(raw, 'epoch in version is not number');
    const isZero = /^0*$/.test(digits);
    if (m[1] === '-' && !isZero) fail(raw, 'epoch in version is negative');
    if (compareDigitStrings(digits, String(INT_MAX)) > 0) fail(raw, 'epoch in version is too big');
    epoch = Number(digits);
    s = s.slice(colon + 1);
    if (s === '') fail(raw, 'nothing after colon in version number');
  }

  const hyphen = s.lastIndexOf('-');
  const upstream = hyphen >= 0 ? s.slice(0, hyphen) : s;
  const revision = hyphen >= 0 ? s.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') fail(raw, 'revision number is empty');
  if (upstream === '') fail(raw, 'version number is empty');

  let warning: string | undefined;
  if (!isDigitCode(upstream.charCodeAt(0))) warning = 'version number does not start with digit';
  else if (!/^[0-9A-Za-z.+~:-]*$/.test(upstream)) warning = 'invalid character in version number';
  else if (!/^[0-9A-Za-z.+~]*$/.test(revision)) warning = 'invalid character in revision number';

  return { epoch, upstream: toByteString(upstream), revision: toByteString(revision), warning };
}

// dpkg's order(): '~' below the end of a part, digits and end equal, letters by
// code, every other byte after all letters (high bytes are negative chars + 256).
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigitCode(c)) return 0;
  if (isAlphaCode(c)) return c;
  if (c === 126) return -1;
  return c >= 128 ? c : c + 256;
}

/** dpkg's verrevcmp(): alternating non-digit and digit runs. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigitCode(a.charCodeAt(i))) || (j < b.length && !isDigitCode(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    // With leading zeros gone, the longer digit run is the larger number; the
    // first differing digit decides between runs of equal length.
    let firstDiff = 0;
    while (isDigitCode(a.charCodeAt(i)) && isDigitCode(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigitCode(a.charCodeAt(i))) return 1;
    if (isDigitCode(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

// A scan compares the same few thousand versions again and again, and parsing
// is most of the cost of a comparison.
const CACHE_MAX = 8192;
const cache = new Map<string, DebVersion>();

function parseCached(raw: string): DebVersion {
  let v = cache.get(raw);
  if (v === undefined) {
    v = parse(raw);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(raw, v);
  }
  return v;
}

function compareParsed(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return Math.sign(verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision));
}

export const debScheme: VersionScheme = {
  ecosystem: 'deb',

  /**
   * Accepts what `dpkg --compare-versions` accepts: surrounding whitespace is
   * trimmed and dpkg's warnings (upstream not starting with a digit, odd
   * characters) do not stop the comparison. Throws CavasError BAD_PACKAGE_DB
   * where dpkg reports an error (empty, bad epoch, empty revision...).
   */
  compare(a: string, b: string): number {
    return compareParsed(parseCached(a), parseCached(b));
  },

  /**
   * Strict Policy 5.6.12: what dpkg accepts without even a warning, with no
   * surrounding whitespace and an unsigned epoch. compare() is more lenient.
   */
  isValid(v: string): boolean {
    if (/\s/.test(v)) return false;
    const colon = v.indexOf(':');
    if (colon >= 0 && !/^\d+$/.test(v.slice(0, colon))) return false;
    try {
      return parse(v).warning === undefined;
    } catch {
      return false;
    }
  },
};
