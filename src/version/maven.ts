/**
 * Maven: the ordering of org.apache.maven.artifact.versioning.ComparableVersion, written
 * from its documented rules (no maintained npm port exists):
 * - split on '.', '-' and digit/letter transitions; '-' (and a transition) opens a sub-list;
 * - numbers compare numerically; qualifiers alpha < beta < milestone < rc = cr < snapshot
 *   < "" = ga = final = release < sp < any other string (those lexically); a/b/m followed
 *   by a digit mean alpha/beta/milestone;
 * - a number outranks a string or a list; trailing zeros and release qualifiers are dropped.
 */
import type { VersionScheme } from './scheme.js';

type Item = bigint | string | Item[];

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };

function qualifierKey(s: string): string {
  const q = ALIASES[s] ?? s;
  const i = QUALIFIERS.indexOf(q);
  // unknown qualifiers sort after the known ones, among themselves lexically
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${q}`;
}

function isNull(item: Item): boolean {
  if (typeof item === 'bigint') return item === 0n;
  if (typeof item === 'string') return qualifierKey(item) === qualifierKey('');
  return item.length === 0;
}

function trim(list: Item[]): Item[] {
  while (list.length > 0 && isNull(list[list.length - 1]!)) list.pop();
  return list;
}

export function parseMaven(version: string): Item[] {
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let token = '';
  let digits = false;
  const flush = (followedByDigit: boolean): void => {
    if (token === '') {
      list.push(0n);
      return;
    }
    if (digits) list.push(BigInt(token));
    else {
      let s = token;
      if (followedByDigit && s.length === 1) s = { a: 'alpha', b: 'beta', m: 'milestone' }[s] ?? s;
      list.push(s);
    }
    token = '';
  };
  const v = version.trim().toLowerCase();
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    const isDigit = c >= '0' && c <= '9';
    if (c === '.') {
      flush(false);
    } else if (c === '-') {
      flush(false);
      trim(list);
      const sub: Item[] = [];
      list.push(sub);
      list = sub;
      stack.push(sub);
    } else {
      if (token !== '' && isDigit !== digits) {
        // a transition between letters and digits also opens a sub-list
        flush(isDigit);
        const sub: Item[] = [];
        list.push(sub);
        list = sub;
        stack.push(sub);
      }
      token += c;
      digits = isDigit;
    }
  }
  if (token !== '') flush(false);
  for (const l of stack.reverse()) trim(l);
  return root;
}

function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return -compareItems(b, undefined);
  if (typeof a === 'bigint') {
    if (b === undefined) return a === 0n ? 0 : 1;
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return 1;
  }
  if (typeof a === 'string') {
    if (b === undefined) return cmpStr(qualifierKey(a), qualifierKey(''));
    if (typeof b === 'bigint') return -1;
    if (typeof b === 'string') return cmpStr(qualifierKey(a), qualifierKey(b));
    return -1;
  }
  if (b === undefined) return a.length === 0 ? 0 : compareItems(a[0], undefined);
  if (typeof b === 'bigint') return -1;
  if (typeof b === 'string') return 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const r = compareItems(a[i], b[i]);
    if (r !== 0) return r;
  }
  return 0;
}

function cmpStr(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

export const mavenScheme: VersionScheme = {
  ecosystem: 'maven',
  compare: (a, b) => compareItems(parseMaven(a), parseMaven(b)),
  isValid: (v) => v.trim() !== '',
};
