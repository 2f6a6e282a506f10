/**
 * RubyGems: Gem::Version (rubygems 3.x, lib/rubygems/version.rb).
 *
 * Hand-written: there is no maintained npm port, and the rules are short.
 * - A version matches `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
 *   with optional surrounding blanks; a blank string is version "0".
 * - Each '-' reads as ".pre." (`1.0-rc1` is `1.0.pre.rc1`).
 * - The segments are the runs of digits (numbers, any size) and of letters
 *   (strings) in it; a letter anywhere makes a pre-release.
 * - Trailing zeros are dropped from the numeric segments before the first
 *   string and from the segments from it on: `1.0.0 = 1`, `1.0.a.0 = 1.a`.
 * - Segments compare pairwise, a missing one counting as 0; a string is lower
 *   than a number (`1.0.a < 1.0 < 1.0.0.1`); strings compare by bytes, so case
 *   matters (`1.B < 1.a`).
 *
 * What Gem::Version.new rejects ("Malformed version number string") throws
 * CavasError USAGE.
 */
import { compareDigits, compareStrings, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

// Ruby's \s: space, \t, \n, \v, \f, \r.
const GEM_VERSION = /^[ \t\n\v\f\r]*(?:[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\n\v\f\r]*$/;

type Segment = { num: string } | string;

/** canonical_segments of Gem::Version. */
function canonicalSegments(v: string): Segment[] {
  if (!GEM_VERSION.test(v)) throw invalidVersion('gem', v, 'malformed version number string');
  let s = v.trim();
  if (s === '') s = '0';
  s = s.replace(/-/g, '.pre.');
  const segments: Segment[] = (s.match(/[0-9]+|[a-z]+/gi) ?? []).map((t) => (/^[0-9]/.test(t) ? { num: t } : t));
  const firstString = segments.findIndex((x) => typeof x === 'string');
  const split = firstString === -1 ? segments.length : firstString;
  return [...dropTrailingZeros(segments.slice(0, split)), ...dropTrailingZeros(segments.slice(split))];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0) {
    const last = segments[end - 1] as Segment;
    if (typeof last === 'string' || !/^0+$/.test(last.num)) break;
    end--;
  }
  return segments.slice(0, end);
}

export function compareGem(a: string, b: string): number {
  const x = canonicalSegments(a);
  const y = canonicalSegments(b);
  const zero: Segment = { num: '0' };
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? zero;
    const r = y[i] ?? zero;
    if (typeof l === 'string') {
      if (typeof r !== 'string') return -1;
      const c = compareStrings(l, r);
      if (c !== 0) return c;
    } else {
      if (typeof r === 'string') return 1;
      const c = compareDigits(l.num, r.num);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const gemScheme: VersionScheme = {
  ecosystem: 'gem',
  compare: compareGem,
  // Gem::Version.correct?, less the blank string it turns into "0": no gem has that version.
  isValid: (v) => v.trim() !== '' && GEM_VERSION.test(v),
};
