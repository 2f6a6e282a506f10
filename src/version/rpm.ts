/**
 * RPM version ordering: rpmvercmp() of rpm 4.18 (lib/rpmvercmp.c) applied to
 * epoch, then version, then release, with the EVR split of rpm's parseEVR().
 *
 * Hand-written: the algorithm is short, its corner cases (`~`, `^` from rpm
 * 4.15, digit runs of any length) are where ports differ, and one step wrong
 * in a fixed-version comparison is a missed vulnerability. The tests check
 * this file against the real rpm.
 *
 * A version without a release sorts below the same version with any release,
 * even an empty or `~` one (`1.0 < 1.0-~ < 1.0-0`), as rpm 4.18's rpmverCmp
 * (rpm.vercmp) has it. (Dependency matching in rpm instead lets a missing
 * release match any release; that is no order, and not what advisories mean.)
 *
 * rpm accepts every non-empty string as an EVR, so compare() does too and
 * throws CavasError USAGE only for an empty one. isValid() is stricter: what
 * rpmbuild accepts in the Version and Release tags.
 */
import { compareDigits, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

// rpm's risdigit/risalpha: ASCII only; every other byte (UTF-8 included) only separates.
function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
const TILDE = 126;
const CARET = 94;

/** rpmvercmp(a, b): -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  // NaN past the end, like C's terminating NUL: no class test matches it.
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : NaN);
  const isSeparator = (c: number): boolean => !Number.isNaN(c) && !isDigitCode(c) && !isAlphaCode(c) && c !== TILDE && c !== CARET;
  while (i < a.length || j < b.length) {
    while (isSeparator(at(a, i))) i++;
    while (isSeparator(at(b, j))) j++;
    const ca = at(a, i);
    const cb = at(b, j);

    // '~' sorts before everything, even the end of the string.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // '^' sorts after the end of the string but before anything else.
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    const numeric = isDigitCode(ca);
    const same = numeric ? isDigitCode : isAlphaCode;
    let ei = i;
    while (ei < a.length && same(a.charCodeAt(ei))) ei++;
    let ej = j;
    while (ej < b.length && same(b.charCodeAt(ej))) ej++;
    // A number against letters: the number is newer.
    if (ej === j) return numeric ? 1 : -1;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    const rc = numeric ? compareDigits(sa, sb) : sa < sb ? -1 : sa > sb ? 1 : 0;
    if (rc !== 0) return rc;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface Evr {
  epoch: string;
  version: string;
  release?: string;
}

/** parseEVR(): `[epoch:]version[-release]`, the release after the last hyphen. */
export function parseEvr(evr: string): Evr {
  let s = 0;
  while (s < evr.length && isDigitCode(evr.charCodeAt(s))) s++;
  let epoch = '0';
  let rest = evr;
  if (evr[s] === ':') {
    epoch = evr.slice(0, s) || '0';
    rest = evr.slice(s + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

function compareRelease(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return rpmvercmp(a, b);
}

// What rpmbuild accepts in Version and Release (rpmCharCheck with "._+%{}~^"),
// without the macro characters, which never survive into a built package.
const FIELD = /^[A-Za-z0-9._+~^]+$/;

export const rpmScheme: VersionScheme = {
  ecosystem: 'rpm',
  compare(a, b) {
    if (a === '') throw invalidVersion('rpm', a, 'empty');
    if (b === '') throw invalidVersion('rpm', b, 'empty');
    const x = parseEvr(a);
    const y = parseEvr(b);
    return rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || compareRelease(x.release, y.release);
  },
  isValid(v) {
    const { version, release } = parseEvr(v);
    const colon = v.indexOf(':');
    if (colon >= 0 && !/^[0-9]+:/.test(v)) return false;
    return FIELD.test(version) && (release === undefined || FIELD.test(release));
  },
};
