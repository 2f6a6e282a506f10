/** npm: Semantic Versioning 2.0.0 as node-semver orders it (loose parsing, as npm accepts). */
import semver from 'semver';
import { CavasError } from '../util/errors.js';
import type { VersionScheme } from './scheme.js';

export function semverScheme(ecosystem: 'npm' | 'cargo'): VersionScheme {
  const parse = (v: string): semver.SemVer => {
    const parsed = semver.parse(v.trim(), { loose: true });
    if (!parsed) throw new CavasError('USAGE', `not a semantic version: ${JSON.stringify(v).slice(0, 60)}`);
    return parsed;
  };
  return {
    ecosystem,
    compare: (a, b) => semver.compare(parse(a), parse(b)),
    isValid: (v) => semver.parse(v.trim(), { loose: true }) !== null,
  };
}

export const npmScheme = semverScheme('npm');
