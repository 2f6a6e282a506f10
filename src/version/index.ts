/**
 * One place to find how an ecosystem orders its versions. A new ecosystem adds
 * its scheme module and one line to `schemes`.
 */
import type { Ecosystem } from '../types.js';
import { CavasError } from '../util/errors.js';
import { apkScheme } from './apk.js';
import { debScheme } from './deb.js';
import { goScheme } from './go.js';
import { mavenScheme } from './maven.js';
import { npmScheme, semverScheme } from './npm.js';
import { pypiScheme } from './pypi.js';
import { rpmScheme } from './rpm.js';
import type { VersionScheme } from './scheme.js';

export type { VersionScheme } from './scheme.js';
export { apkScheme } from './apk.js';
export { debScheme } from './deb.js';

const schemes: Partial<Record<Ecosystem, VersionScheme>> = {
  deb: debScheme,
  apk: apkScheme,
  npm: npmScheme,
  cargo: semverScheme('cargo'),
  go: goScheme,
  pypi: pypiScheme,
  maven: mavenScheme,
  rpm: rpmScheme,
};

// A Record over the union, so adding an Ecosystem without listing it here fails to compile.
const KNOWN_ECOSYSTEMS: Readonly<Record<Ecosystem, true>> = {
  deb: true,
  apk: true,
  rpm: true,
  npm: true,
  pypi: true,
  maven: true,
  go: true,
  gem: true,
  nuget: true,
  composer: true,
  cargo: true,
};

function isEcosystem(name: string): name is Ecosystem {
  return Object.hasOwn(KNOWN_ECOSYSTEMS, name);
}

export function getScheme(eco: Ecosystem): VersionScheme {
  const scheme = Object.hasOwn(schemes, eco) ? schemes[eco] : undefined;
  if (!scheme) throw new CavasError('USAGE', `no version scheme for ecosystem ${JSON.stringify(eco)}`);
  return scheme;
}

/** compare() of the ecosystem's scheme; throws CavasError USAGE for an unknown or unsupported ecosystem. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  if (!isEcosystem(ecosystem)) throw new CavasError('USAGE', `unknown ecosystem ${JSON.stringify(ecosystem)}`);
  return getScheme(ecosystem).compare(a, b);
}
