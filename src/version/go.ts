/**
 * Go modules: golang.org/x/mod/semver, the ordering the go command and
 * govulncheck use. `vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]`: the short forms
 * `v1` and `v1.2` mean `v1.0.0` and `v1.2.0`; build metadata, `+incompatible`
 * included, does not order; pseudo-versions
 * (`v0.0.0-20210101000000-abcdef123456`, `v1.2.4-0.2021...`) are pre-releases
 * and order by their timestamp, before the release they lead to.
 *
 * Hand-written (a port of x/mod/semver's parse and compare) because Go's
 * numbers have no size limit, where node-semver stops at 2^53, and because
 * three spellings reach this scheme: go.mod's `v1.2.3`, OSV's `1.2.3` (no
 * `v`), and Go toolchain tags such as `go1.21rc2`, which map to semver as
 * govulncheck maps them (`go1.19` -> v1.19.0, `go1.21rc2` -> v1.21.0-rc.2,
 * `go1.9beta1` -> v1.9.0-beta.1; text after a blank, as in
 * `go1.19.8 X:boringcrypto`, is dropped).
 *
 * Anything x/mod/semver would call invalid (it orders all such strings equal,
 * below every valid version) throws CavasError USAGE instead.
 */
import { compareDigits, compareStrings, invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

interface GoSemver {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated identifiers, without the leading '-'; '' for a release. */
  prerelease: string;
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+${IDENT}(?:\\.${IDENT})*)?)?)?$`);
const GO_TAG = /^go([0-9]+\.[0-9]+)(\.[0-9]+|)(?:(beta|rc|-pre)([0-9]+))?$/;

/** govulncheck's GoTagToSemver: undefined if the tag is not a Go release tag. */
function goTagToSemver(tag: string): string | undefined {
  if (tag === 'go1') return 'v1.0.0';
  if (tag === 'go1.0') return undefined;
  const m = GO_TAG.exec(tag);
  if (!m) return undefined;
  let v = `v${m[1] as string}${m[2] || '.0'}`;
  if (m[3] !== undefined) v += `${m[3].startsWith('-') ? '' : '-'}${m[3]}.${m[4] as string}`;
  return v;
}

function parseGo(v: string): GoSemver | undefined {
  let s = v;
  if (s.startsWith('go')) {
    const first = s.split(/\s/, 1)[0] as string;
    const mapped = goTagToSemver(first);
    if (mapped === undefined) return undefined;
    s = mapped;
  } else if (!s.startsWith('v')) {
    s = `v${s}`;
  }
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  const prerelease = m[4] ?? '';
  // SemVer: numeric pre-release identifiers have no leading zeros.
  if (prerelease.split('.').some((id) => /^0[0-9]+$/.test(id))) return undefined;
  return { major: m[1] as string, minor: m[2] ?? '0', patch: m[3] ?? '0', prerelease };
}

function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const xs = x.split('.');
  const ys = y.split('.');
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const dx = xs[i] as string;
    const dy = ys[i] as string;
    if (dx === dy) continue;
    const nx = /^[0-9]+$/.test(dx);
    const ny = /^[0-9]+$/.test(dy);
    if (nx !== ny) return nx ? -1 : 1;
    return nx ? compareDigits(dx, dy) : compareStrings(dx, dy);
  }
  return xs.length < ys.length ? -1 : xs.length > ys.length ? 1 : 0;
}

function parseOrThrow(v: string): GoSemver {
  const p = parseGo(v);
  if (!p) throw invalidVersion('go', v, 'not a Go module or toolchain version');
  return p;
}

export const goScheme: VersionScheme = {
  ecosystem: 'go',
  compare(a, b) {
    const x = parseOrThrow(a);
    const y = parseOrThrow(b);
    return (
      compareDigits(x.major, y.major) ||
      compareDigits(x.minor, y.minor) ||
      compareDigits(x.patch, y.patch) ||
      comparePrerelease(x.prerelease, y.prerelease)
    );
  },
  isValid: (v) => parseGo(v) !== undefined,
};
