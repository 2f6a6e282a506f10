/**
 * Alpine version ordering, as apk-tools 3 orders versions (src/version.c:
 * `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`).
 *
 * Hand-written: no maintained npm library follows apk-tools' tokenizer,
 * including how it orders strings it would not accept as versions, which
 * matters because Alpine's secdb holds some (`6.6.4p1-r1`, `1.18.-r2`). The
 * tests run apk-tools' own test vectors against this file.
 */
import { CavasError } from '../util/errors.js';
import type { VersionScheme } from './scheme.js';

// Token kinds. The numeric order is part of the algorithm: it bounds which
// token may follow which, and it decides comparisons where two versions stop
// agreeing on the kind of their next token.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Pre-release suffixes rank below NONE (a bare release), post-release above.
const SUFFIX_NONE = 5;
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};

interface Token {
  kind: number;
  /** The token's text: digits, the letter, the suffix word or the hash. */
  value: string;
  suffix: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z';
}

function isHex(c: string | undefined): boolean {
  return isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/** Walks one version string token by token, as apk-tools' token_first/token_next do. */
class Tokenizer {
  private pos = 0;
  readonly tok: Token = { kind: INITIAL_DIGIT, value: '', suffix: 0 };

  constructor(private readonly s: string) {
    this.digits();
  }

  private run(accept: (c: string | undefined) => boolean): string {
    const start = this.pos;
    while (this.pos < this.s.length && accept(this.s[this.pos])) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private digits(): void {
    this.tok.value = this.run(isDigit);
    if (this.tok.value === '') this.tok.kind = INVALID;
  }

  next(): void {
    const t = this.tok;
    const c = this.s[this.pos];
    if (c === undefined) {
      t.kind = END;
    } else if (isLower(c)) {
      if (t.kind > DIGIT) return this.invalid();
      t.kind = LETTER;
      t.value = c;
      this.pos++;
    } else if (c === '.' || isDigit(c)) {
      if (c === '.') {
        if (t.kind > DIGIT) return this.invalid();
        this.pos++;
      }
      if (t.kind === INITIAL_DIGIT || t.kind === DIGIT) t.kind = DIGIT;
      else if (t.kind === SUFFIX) t.kind = SUFFIX_NO;
      else return this.invalid();
      this.digits();
    } else if (c === '_') {
      if (t.kind > SUFFIX_NO) return this.invalid();
      this.pos++;
      t.value = this.run(isLower);
      const rank = Object.hasOwn(SUFFIX_RANK, t.value) ? SUFFIX_RANK[t.value] : undefined;
      if (rank === undefined) return this.invalid();
      t.kind = SUFFIX;
      t.suffix = rank;
    } else if (c === '~') {
      if (t.kind >= COMMIT_HASH) return this.invalid();
      this.pos++;
      t.value = this.run(isHex);
      if (t.value === '') return this.invalid();
      t.kind = COMMIT_HASH;
    } else if (c === '-') {
      if (t.kind >= REVISION_NO || this.s[this.pos + 1] !== 'r') return this.invalid();
      this.pos += 2;
      t.kind = REVISION_NO;
      this.digits();
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.tok.kind = INVALID;
  }
}

/** Numeric order of two digit strings of any length (apk uses uint64; see README). */
function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareBytes(x, y);
}

/** apk_blob_sort: bytewise, a proper prefix first. Token text here is ASCII. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTokens(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      // After a dot, a leading zero switches to string order (Gentoo's rule),
      // so 1.05 < 1.5 and 8.2.0015 < 8.2.002.
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareBytes(a.value, b.value);
      return compareNumbers(a.value, b.value);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareNumbers(a.value, b.value);
    case LETTER:
      return compareBytes(a.value, b.value);
    case SUFFIX:
      return Math.sign(a.suffix - b.suffix);
    default:
      return compareBytes(a.value, b.value);
  }
}

/** apk_version_compare(): -1, 0 or 1. */
function apkCompare(a: string, b: string): number {
  const ta = new Tokenizer(a);
  const tb = new Tokenizer(b);
  while (ta.tok.kind === tb.tok.kind && ta.tok.kind < END) {
    const r = compareTokens(ta.tok, tb.tok);
    if (r !== 0) return r;
    ta.next();
    tb.next();
  }
  const ka = ta.tok.kind;
  const kb = tb.tok.kind;
  // Both ended, or both hit something apk cannot parse at the same place.
  if (ka === kb) return 0;
  // Otherwise the one that goes on is newer, unless what follows is a pre-release
  // suffix; an unparseable rest counts as the "furthest" kind, so it sorts lowest.
  if (ka === SUFFIX && ta.tok.suffix < SUFFIX_NONE) return -1;
  if (kb === SUFFIX && tb.tok.suffix < SUFFIX_NONE) return 1;
  return ka > kb ? -1 : 1;
}

function validate(v: string): boolean {
  const t = new Tokenizer(v);
  while (t.tok.kind < END) t.next();
  return t.tok.kind === END;
}

function requireComparable(v: string): void {
  if (!isDigit(v[0])) {
    const reason = v === '' ? 'empty' : 'does not start with a digit';
    throw new CavasError('BAD_PACKAGE_DB', `invalid apk version ${JSON.stringify(v)}: ${reason}`);
  }
}

export const apkScheme: VersionScheme = {
  ecosystem: 'apk',

  /**
   * Orders exactly as apk-tools does, also for strings apk would reject later
   * on (it compares up to the first unparseable token). Throws CavasError
   * BAD_PACKAGE_DB only for a version with no leading number, which apk-tools
   * cannot order at all (it calls every such string equal to every other).
   */
  compare(a: string, b: string): number {
    requireComparable(a);
    requireComparable(b);
    return apkCompare(a, b);
  },

  /** apk_version_validate(). */
  isValid(v: string): boolean {
    return validate(v);
  },
};
