/**
 * Go module versions: semver with a mandatory leading `v` in go.mod, but OSV writes them
 * without it (`1.19.8`, `1.16.0-0`) and toolchains report `go1.19.8`. All three forms
 * are accepted; `+incompatible` is build metadata and does not order; pseudo-versions
 * (`v0.0.0-20210101000000-abcdef123456`) are semver prereleases and order by time.
 * Hand-written on top of node-semver only for the prefix and short-form (`v1.2`, `go1.21`)
 * normalisation Go's own tooling performs.
 */
import semver from 'semver';
import { CavasError } from '../util/errors.js';
import type { VersionScheme } from './scheme.js';

export function normaliseGoVersion(v: string): string | undefined {
  let s = v.trim().replace(/^go(?=\d)/, '').replace(/^v/, '');
  s = s.replace(/\+incompatible$/, '');
  // go1.21 / v1.2 -> 1.21.0 / 1.2.0; go1.21rc2 -> 1.21.0-rc.2
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:rc|beta|alpha)\d*)?(-.+)?$/.exec(s);
  if (!m) return undefined;
  const [, major, minor = '0', patch = '0', goPre, rest] = m;
  let pre = rest ?? '';
  if (goPre) pre = `-${goPre.replace(/(\D+)(\d*)/, (_x, word: string, n: string) => (n ? `${word}.${n}` : word))}${rest ? rest.replace(/^-/, '.') : ''}`;
  const out = `${major}.${minor}.${patch}${pre}`;
  return semver.valid(out) ? out : undefined;
}

export const goScheme: VersionScheme = {
  ecosystem: 'go',
  compare(a, b) {
    const x = normaliseGoVersion(a);
    const y = normaliseGoVersion(b);
    if (!x || !y) throw new CavasError('USAGE', `not a Go version: ${JSON.stringify(x ? b : a).slice(0, 60)}`);
    return semver.compare(x, y);
  },
  isValid: (v) => normaliseGoVersion(v) !== undefined,
};
