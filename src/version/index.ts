/**
 * One place to find how an ecosystem orders its versions. A new ecosystem adds
 * its scheme module and one line to `schemes`, which is a Record over the
 * Ecosystem union so that a new ecosystem without a scheme fails to compile.
 */
import type { Ecosystem } from '../types.js';
import { CavasError } from '../util/errors.js';
import { apkScheme } from './apk.js';
import { cargoScheme } from './cargo.js';
import { composerScheme } from './composer.js';
import { debScheme } from './deb.js';
import { gemScheme } from './gem.js';
import { goScheme } from './go.js';
import { mavenScheme } from './maven.js';
import { npmScheme } from './npm.js';
import { nugetScheme } from './nuget.js';
import { pypiScheme } from './pypi.js';
import { rpmScheme } from './rpm.js';
import type { VersionScheme } from './scheme.js';

export type { VersionScheme } from './scheme.js';
export { apkScheme } from './apk.js';
export { cargoScheme } from './cargo.js';
export { composerScheme } from './composer.js';
export { debScheme } from './deb.js';
export { gemScheme } from './gem.js';
export { goScheme } from './go.js';
export { mavenScheme } from './maven.js';
export { npmScheme } from './npm.js';
export { nugetScheme } from './nuget.js';
export { pypiScheme } from './pypi.js';
export { rpmScheme } from './rpm.js';

const schemes: Record<Ecosystem, VersionScheme> = {
  deb: debScheme,
  apk: apkScheme,
  rpm: rpmScheme,
  npm: npmScheme,
  pypi: pypiScheme,
  maven: mavenScheme,
  go: goScheme,
  gem: gemScheme,
  nuget: nugetScheme,
  composer: composerScheme,
  cargo: cargoScheme,
};

function isEcosystem(name: string): name is Ecosystem {
  return Object.hasOwn(schemes, name);
}

export function getScheme(eco: Ecosystem): VersionScheme {
  // Callers in plain JavaScript can pass any string.
  if (!isEcosystem(eco)) throw new CavasError('USAGE', `no version scheme for ecosystem ${JSON.stringify(eco)}`);
  return schemes[eco];
}

/** compare() of the ecosystem's scheme; throws CavasError USAGE for an unknown or unsupported ecosystem. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  if (!isEcosystem(ecosystem)) throw new CavasError('USAGE', `unknown ecosystem ${JSON.stringify(ecosystem)}`);
  return getScheme(ecosystem).compare(a, b);
}
