/**
 * npm: Semantic Versioning 2.0.0 precedence, through node-semver, the library
 * npm itself orders versions with. Parsing is loose, as npm's
 * normalize-package-data reads package.json: `v1.2.3`, `=1.2.3`, `01.2.3`,
 * `1.2.3beta` and surrounding blanks are accepted. Build metadata does not
 * order (`1.0.0+a = 1.0.0+b`).
 */
import semver from 'semver';
import { invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

const LOOSE = { loose: true } as const;

function parse(v: string): semver.SemVer {
  const parsed = semver.parse(v, LOOSE);
  if (!parsed) throw invalidVersion('npm', v, 'not a semantic version');
  return parsed;
}

export const npmScheme: VersionScheme = {
  ecosystem: 'npm',
  compare: (a, b) => parse(a).compare(parse(b)),
  isValid: (v) => semver.parse(v, LOOSE) !== null,
};
