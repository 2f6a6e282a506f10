/**
 * Cargo (crates.io): Semantic Versioning 2.0.0, as the `semver` crate parses
 * it: exactly MAJOR.MINOR.PATCH[-PRE][+BUILD], no leading zeros in numbers or
 * numeric pre-release identifiers. Ordered with node-semver's strict
 * precedence. Build metadata does not order (`1.0.0+a = 1.0.0+b`): the crate's
 * Ord on Version does look at it, but version requirements, and so advisory
 * ranges, ignore it, as SemVer says.
 *
 * compare() also takes what node-semver's strict parser takes beyond the
 * crate (a leading `v`, surrounding blanks); isValid() is the crate's grammar.
 * Numbers above 2^53 - 1, which the crate allows up to 2^64 - 1, are rejected
 * by node-semver and so throw here.
 */
import semver from 'semver';
import { invalidVersion } from './common.js';
import type { VersionScheme } from './scheme.js';

function parse(v: string): semver.SemVer {
  const parsed = semver.parse(v);
  if (!parsed) throw invalidVersion('cargo', v, 'not a semantic version');
  return parsed;
}

const NUM = '(?:0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const CRATE_SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

export const cargoScheme: VersionScheme = {
  ecosystem: 'cargo',
  compare: (a, b) => parse(a).compare(parse(b)),
  isValid: (v) => CRATE_SEMVER.test(v) && semver.parse(v) !== null,
};
