/**
 * RPM version ordering: rpmvercmp() from rpm's lib/rpmvercmp.c, re-written from its
 * documented behaviour (no maintained npm library implements it), applied to
 * epoch, then version, then release, as rpmVersionCompare does.
 * - segments are runs of digits or of letters; other characters only separate;
 * - numbers compare numerically and beat letters; letters compare as strings;
 * - `~` sorts before anything, even the end (1.0~rc1 < 1.0);
 * - `^` sorts after the end but before anything else (1.0 < 1.0^git1 < 1.0.1).
 */
import type { VersionScheme } from './scheme.js';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    let ei = i;
    while (ei < a.length && same(a[ei])) ei++;
    let ej = j;
    while (ej < b.length && same(b[ej])) ej++;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    i = ei;
    j = ej;
    // a number against letters: the number is newer
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

interface Evr {
  epoch: number;
  version: string;
  release?: string;
}

export function parseEvr(s: string): Evr {
  const colon = s.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(s.slice(0, colon)) ? Number(s.slice(0, colon)) : 0;
  const rest = colon > 0 ? s.slice(colon + 1) : s;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

export const rpmScheme: VersionScheme = {
  ecosystem: 'rpm',
  compare(a, b) {
    const x = parseEvr(a.trim());
    const y = parseEvr(b.trim());
    if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
    const v = rpmvercmp(x.version, y.version);
    if (v !== 0) return v;
    // a side without release matches any release, as rpm compares a dependency "foo >= 1.0"
    if (x.release === undefined || y.release === undefined) return 0;
    return rpmvercmp(x.release, y.release);
  },
  isValid: (v) => v.trim() !== '',
};
