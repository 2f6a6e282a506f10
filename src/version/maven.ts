/**
 * Maven: org.apache.maven.artifact.versioning.ComparableVersion as Maven 3.9
 * ships it, the order the POM reference's "Version Order Specification"
 * describes and that Maven, its resolver and the GitHub/OSV Maven advisories
 * use.
 *
 * Hand-written: the rules changed between Maven releases (3.9 made `release`
 * an alias of the empty qualifier, ordered `.X1 < -X2`, compares a whole
 * sub-list with null), and pinning one release's rules matters more than
 * reuse. The parse builds ComparableVersion's item tree:
 * - '.' separates items, '-' opens a sub-list; a letter/digit transition
 *   separates too and opens a sub-list (`1.0alpha1` -> [1, [alpha, [1]]]);
 *   a qualifier after '.' is treated as after '-' (`1.0.X1 < 1.0-X2`); an empty
 *   item is 0;
 * - numbers compare numerically (any length); qualifiers in the order
 *   alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
 *   < sp < any other string (those lexically, case-insensitively); `a`, `b`, `m`
 *   directly followed by a digit are alpha, beta, milestone;
 * - a number beats a sub-list, which beats a qualifier (`1-foo < 1-1 < 1.1`);
 * - trailing nulls (0, "", ga, final, release, empty lists) are dropped from
 *   every list, so `1 = 1.0 = 1.0.0 = 1-ga = 1.final`, and a missing item
 *   compares as null (`1-snapshot < 1 < 1-sp`).
 *
 * Maven accepts any string as a version, so compare() does too; it throws
 * CavasError USAGE only for an empty string and for strings over 256
 * characters (Maven 4 sets the same bound: nesting grows with every '-').
 * One difference: only ASCII digits are digits (Java also takes other Unicode
 * decimal digits).
 *
 * Like ComparableVersion 3.9 itself, the order is antisymmetric but not
 * transitive on contrived strings (`1.0 < 1-sp < 1-0rc1`, yet
 * `1.0 > 1-0rc1`); on real versions it is. The tests compare this file with
 * maven-artifact 3.9's own class where a JDK and the jar are at hand.
 */
import { compareDigits, compareStrings, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

type Item = { kind: 'num'; digits: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));
const MAX_LENGTH = 256;

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  return { kind: 'str', value: Object.hasOwn(ALIASES, v) ? (ALIASES[v] as string) : v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { kind: 'num', digits: buf.replace(/^0+(?=.)/, '') } : stringItem(buf, false);
}

/** Known qualifiers by rank, unknown ones after them, lexically (Java's String.compareTo on these keys). */
function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  if (item.kind === 'num') return /^0+$/.test(item.digits);
  if (item.kind === 'str') return comparableQualifier(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

// Drops trailing nulls, looking through trailing sub-lists as ComparableVersion.ListItem.normalize does.
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const v = version.toLowerCase();
  const openList = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'num', digits: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') openList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier followed by a digit goes in its own sub-list.
        if (list.length > 0) openList();
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    // treat .X as -X for any trailing qualifier X
    if (!isDigit && list.length > 0) openList();
    list.push(parseItem(isDigit, v.slice(start)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as Item[]);
  return { kind: 'list', items: root };
}

/** item.compareTo(other) of ComparableVersion; `undefined` is Java's null (a padded, missing item). */
function compareItem(item: Item, other: Item | undefined): number {
  switch (item.kind) {
    case 'num':
      if (other === undefined) return isNull(item) ? 0 : 1;
      return other.kind === 'num' ? compareDigits(item.digits, other.digits) : 1;
    case 'str':
      if (other === undefined) return compareStrings(comparableQualifier(item.value), RELEASE_INDEX);
      if (other.kind === 'str') return compareStrings(comparableQualifier(item.value), comparableQualifier(other.value));
      return -1;
    case 'list': {
      if (other === undefined) {
        // the whole list against null, not just its first item (MNG-6964)
        for (const i of item.items) {
          const r = compareItem(i, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (other.kind === 'num') return -1;
      if (other.kind === 'str') return 1;
      const n = Math.max(item.items.length, other.items.length);
      for (let k = 0; k < n; k++) {
        const l = item.items[k];
        const r = other.items[k];
        const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

function parseChecked(v: string): Item {
  if (v === '') throw invalidVersion('maven', v, 'empty');
  if (v.length > MAX_LENGTH) throw invalidVersion('maven', v, `longer than ${MAX_LENGTH} characters`);
  return parseMaven(v);
}

// Maven's model validator bans \ / : " < > | ? * and unresolved ${expressions}; blanks never occur in real versions.
const BANNED = /[\s\\/:"<>|?*]|\$\{/;

export const mavenScheme: VersionScheme = {
  ecosystem: 'maven',
  compare: (a, b) => Math.sign(compareItem(parseChecked(a), parseChecked(b))),
  isValid: (v) => v !== '' && v.length <= MAX_LENGTH && !BANNED.test(v),
};
