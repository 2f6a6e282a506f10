/** Helpers the hand-written version schemes share. */
import { CavasError } from '../util/errors.js';
import type { Ecosystem } from '../types.js';

/** Sign of a - b for two decimal digit strings of any length (leading zeros allowed). */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const x = a.length - i;
  const y = b.length - j;
  if (x !== y) return x < y ? -1 : 1;
  const p = a.slice(i);
  const q = b.slice(j);
  return p < q ? -1 : p > q ? 1 : 0;
}

/** Plain code-unit order, as C's strcmp and Java's compareTo see ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

/**
 * The error every scheme throws for a string its ecosystem's tooling rejects:
 * USAGE, since the caller handed over something that is not a version (the
 * matcher skips the one advisory statement that holds it).
 */
export function invalidVersion(ecosystem: Ecosystem, v: string, reason?: string): CavasError {
  const shown = v.length > 80 ? `${JSON.stringify(v.slice(0, 80))}...` : JSON.stringify(v);
  return new CavasError('USAGE', `invalid ${ecosystem} version ${shown}${reason ? `: ${reason}` : ''}`);
}
