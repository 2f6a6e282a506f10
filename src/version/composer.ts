/**
 * Composer (Packagist): composer/semver 3's VersionParser::normalize followed
 * by PHP's version_compare, which is how Composer sorts versions
 * (Semver::sort) and matches them against constraints.
 *
 * Hand-written: no npm library reproduces Composer's normalisation, and the
 * order only makes sense on normalised strings. normalize():
 * - trims, drops an `as` alias (`1.0 as 2.0`), an `@stability` flag and
 *   `+build` metadata;
 * - `v1.2` -> `1.2.0.0`: up to four numbers (the first at most five digits),
 *   padded with `.0`; date versions (`20230101`, `2023.01.01-12:00`) keep
 *   their numbers;
 * - stability suffixes: `a`/`alpha`, `b`/`beta`, `RC`, `p`/`pl`/`patch`, each
 *   with an optional number, then an optional `dev` (`1.0-rc1` ->
 *   `1.0.0.0-RC1`, `1.0.x-dev` -> `1.0.9999999.9999999-dev`); `stable` is
 *   dropped;
 * - `master`, `trunk`, `default` and `dev-*` are branches.
 * version_compare splits at '.', '-', '_', '+' and letter/digit changes and
 * orders numbers numerically, and words dev < alpha = a < beta = b < RC = rc
 * < (a number) < pl = p = patch; so `1.0-dev < 1.0-alpha1 < 1.0-beta <
 * 1.0-RC1 < 1.0 < 1.0-patch1 < 1.0.1`.
 *
 * Branches (`dev-main`, `dev-feature/x`) have no place in the order: Composer
 * never matches one against a version constraint. compare() therefore
 * returns 0 for two identical branches and throws CavasError USAGE for a
 * branch against anything else, so the matcher skips that advisory statement
 * and a branch is never reported as inside a range, just as Composer would
 * not match it. What normalize() rejects ("Invalid version string") also
 * throws USAGE. One difference from PHP: numbers compare exactly at any
 * length, where PHP's strtol saturates at 2^63 - 1.
 */
import { compareDigits, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const BRANCH_NUMBER = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;

function expandStability(s: string): string {
  const lower = s.toLowerCase();
  switch (lower) {
    case 'a':
      return 'alpha';
    case 'b':
      return 'beta';
    case 'p':
    case 'pl':
      return 'patch';
    case 'rc':
      return 'RC';
    default:
      return lower;
  }
}

/** VersionParser::normalizeBranch. */
function normalizeBranch(name: string): string {
  const m = BRANCH_NUMBER.exec(name.trim());
  if (m) {
    let version = '';
    for (let i = 1; i < 5; i++) version += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
    return `${version.replace(/x/g, '9999999')}-dev`;
  }
  return `dev-${name}`;
}

/** VersionParser::normalize; undefined where Composer throws UnexpectedValueException. */
export function normalizeComposer(raw: string): string | undefined {
  let version = raw.trim();
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias) version = alias[1] as string;
  const flag = /@(?:stable|RC|beta|alpha|dev)$/i.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return `dev-${version.slice(4)}`;
  const build = /^([^,\s+]+)\+[^\s]+$/.exec(version);
  if (build) version = build[1] as string;

  let m = CLASSICAL.exec(version);
  let index: number;
  if (m) {
    version = `${m[1] as string}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    index = 5;
  } else {
    m = DATE.exec(version);
    if (m) {
      version = (m[1] as string).replace(/\D/g, '.');
      index = 2;
    } else {
      index = -1;
    }
  }
  if (m && index > 0) {
    const stability = m[index];
    if (stability) {
      if (stability === 'stable') return version;
      const n = m[index + 1];
      version += `-${expandStability(stability)}${n ? n.replace(/^[.-]+/, '') : ''}`;
    }
    if (m[index + 2]) version += '-dev';
    return version;
  }

  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (dev) {
    const normalized = normalizeBranch(dev[1] as string);
    // a branch ending in -dev is only a version when its name is numeric
    if (!normalized.includes('dev-')) return normalized;
  }
  return undefined;
}

/** php_canonicalize_version: '-', '_', '+' become '.', and a '.' goes between letters and digits. */
function canonicalize(v: string): string {
  if (v === '') return '';
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';
  const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
  let out = v[0] as string;
  let lp = v[0] as string;
  for (let i = 1; i < v.length; i++) {
    const p = v[i] as string;
    const last = out[out.length - 1];
    if (p === '-' || p === '_' || p === '+') {
      if (last !== '.') out += '.';
    } else if ((lp !== '.' && !isDigit(lp) && isDigit(p)) || (isDigit(lp) && p !== '.' && !isDigit(p))) {
      if (last !== '.') out += '.';
      out += p;
    } else if (!isAlnum(p)) {
      if (last !== '.') out += '.';
    } else {
      out += p;
    }
    lp = p;
  }
  return out;
}

const SPECIAL_FORMS: ReadonlyArray<[string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

// A word's rank by prefix, as PHP matches them (strncmp); unknown words rank below dev.
function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -6;
}

const isDigitStart = (s: string): boolean => s.length > 0 && s[0]! >= '0' && s[0]! <= '9';

/** php_version_compare, walking the canonical strings element by element as the C code does. */
export function phpVersionCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const v1 = a[0] === '#' ? a : canonicalize(a);
  const v2 = b[0] === '#' ? b : canonicalize(b);
  let p1 = 0;
  let p2 = 0;
  // Index of the '.' ending the current element, or -1 at the last one (C's NULL).
  let n1 = 0;
  let n2 = 0;
  let compare = 0;
  while (p1 < v1.length && p2 < v2.length && n1 !== -1 && n2 !== -1) {
    n1 = v1.indexOf('.', p1);
    n2 = v2.indexOf('.', p2);
    const e1 = v1.slice(p1, n1 === -1 ? undefined : n1);
    const e2 = v2.slice(p2, n2 === -1 ? undefined : n2);
    if (isDigitStart(e1) && isDigitStart(e2)) compare = compareDigits(leadingDigits(e1), leadingDigits(e2));
    else if (!isDigitStart(e1) && !isDigitStart(e2)) compare = Math.sign(specialForm(e1) - specialForm(e2));
    else if (isDigitStart(e1)) compare = Math.sign(specialForm('#N#') - specialForm(e2));
    else compare = Math.sign(specialForm(e1) - specialForm('#N#'));
    if (compare !== 0) break;
    if (n1 !== -1) p1 = n1 + 1;
    if (n2 !== -1) p2 = n2 + 1;
  }
  if (compare === 0) {
    // One side has elements left: a number there makes it newer, a word is ranked against a number.
    if (n1 !== -1) {
      const rest = v1.slice(p1);
      compare = isDigitStart(rest) ? 1 : phpVersionCompare(rest, '#N#');
    } else if (n2 !== -1) {
      const rest = v2.slice(p2);
      compare = isDigitStart(rest) ? -1 : phpVersionCompare('#N#', rest);
    }
  }
  return compare;
}

// strtol's reading of an element that starts with a digit.
function leadingDigits(s: string): string {
  let i = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  return s.slice(0, i);
}

function normalizeOrThrow(v: string): string {
  const n = normalizeComposer(v);
  if (n === undefined) throw invalidVersion('composer', v, 'invalid version string');
  return n;
}

export const composerScheme: VersionScheme = {
  ecosystem: 'composer',
  compare(a, b) {
    const x = normalizeOrThrow(a);
    const y = normalizeOrThrow(b);
    const xBranch = x.startsWith('dev-');
    const yBranch = y.startsWith('dev-');
    if (xBranch || yBranch) {
      if (x === y) return 0;
      throw invalidVersion('composer', xBranch ? a : b, 'a branch is not ordered against other versions');
    }
    return phpVersionCompare(x, y);
  },
  isValid: (v) => normalizeComposer(v) !== undefined,
};
