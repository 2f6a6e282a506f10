/**
 * PyPI: PEP 440 (the Version Specifiers specification), ordered exactly as the
 * `packaging` reference implementation does: epoch, release (trailing zeros
 * ignored), pre-release (a < b < rc; `1.0.dev0` before `1.0a0`), post-release,
 * dev-release, then the local label (`1.0 < 1.0+abc < 1.0+1`).
 *
 * Hand-written rather than taken from @renovatebot/pep440, which turns every
 * number into a double and reads local labels with Number(): it calls
 * `1.99999999999999999 = 1.99999999999999998`, `1.0+0x1 = 1.0+1`,
 * `1.0+1e3 = 1.0+1000`, and fails with a TypeError on input it does not
 * parse. Here numbers compare at any length; the tests check the order
 * against `packaging` itself.
 *
 * Accepted: what packaging.version.Version accepts (the spelling variants
 * PEP 440 allows: `v1.0`, `1.0-alpha.1`, `1.0.post-2`, `1.0-1`, upper case,
 * surrounding whitespace as Python's str.isspace() defines it). Anything
 * else, including the legacy versions old setuptools allowed, throws
 * CavasError USAGE.
 */
import { compareDigits, compareStrings, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

// Python's str.isspace() characters: what packaging's \s strips around a version.
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*';

// PEP 440 appendix B's pattern, with packaging's surrounding-whitespace allowance.
const PEP440 = new RegExp(
  `^${PY_SPACE}v?` +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    `${PY_SPACE}$`,
  'i',
);

/** A sort-key field: -Infinity / +Infinity sentinels, or a value compared in place. */
type Bound = 'min' | 'max';

interface Pep440 {
  epoch: string;
  release: string[];
  /** Normalised letter (a, b, rc) and number, or a sentinel. */
  pre: Bound | [string, string];
  post: Bound | string;
  dev: Bound | string;
  local: Bound | Array<string | { num: string }>;
}

const PRE_LETTER: Readonly<Record<string, string>> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

function parse(v: string): Pep440 {
  const m = PEP440.exec(v);
  const g = m?.groups;
  if (!g) throw invalidVersion('pypi', v, 'not a PEP 440 version');
  const release = (g.release as string).split('.');
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  const hasPre = g.pre_l !== undefined;
  const hasPost = g.post !== undefined;
  const hasDev = g.dev_l !== undefined;
  return {
    epoch: g.epoch ?? '0',
    release,
    // A bare dev release sorts before every pre-release of its version.
    pre: hasPre ? [PRE_LETTER[(g.pre_l as string).toLowerCase()] as string, g.pre_n ?? '0'] : !hasPost && hasDev ? 'min' : 'max',
    post: hasPost ? (g.post_n1 ?? g.post_n2 ?? '0') : 'min',
    dev: hasDev ? (g.dev_n ?? '0') : 'max',
    local:
      g.local === undefined
        ? 'min'
        : g.local
            .toLowerCase()
            .split(/[-_.]/)
            .map((part) => (/^[0-9]+$/.test(part) ? { num: part } : part)),
  };
}

function compareBound<T>(a: Bound | T, b: Bound | T, inner: (x: T, y: T) => number): number {
  const rank = (x: Bound | T): number => (x === 'min' ? -1 : x === 'max' ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return ra === rb ? 0 : ra < rb ? -1 : 1;
  return inner(a as T, b as T);
}

function compareRelease(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = compareDigits(a[i] as string, b[i] as string);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// Local labels: numbers sort after strings; strings compare lexically; a longer label wins a tie.
function compareLocal(a: Array<string | { num: string }>, b: Array<string | { num: string }>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | { num: string };
    const y = b[i] as string | { num: string };
    let r: number;
    if (typeof x === 'string') r = typeof y === 'string' ? compareStrings(x, y) : -1;
    else r = typeof y === 'string' ? 1 : compareDigits(x.num, y.num);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePep440(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return (
    compareDigits(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    compareBound(x.pre, y.pre, (p, q) => compareStrings(p[0], q[0]) || compareDigits(p[1], q[1])) ||
    compareBound(x.post, y.post, compareDigits) ||
    compareBound(x.dev, y.dev, compareDigits) ||
    compareBound(x.local, y.local, compareLocal)
  );
}

export const pypiScheme: VersionScheme = {
  ecosystem: 'pypi',
  compare: comparePep440,
  isValid: (v) => PEP440.test(v),
};
