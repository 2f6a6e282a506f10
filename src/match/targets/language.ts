import type { Ecosystem } from '../../types.js';
import type { EcosystemTargets } from '../target.js';

/**
 * Language packages are the same everywhere: no release key, OSV records by package
 * name (the store normalises names where the ecosystem does: PEP 503, NuGet case).
 */
export function languageTargets(ecosystem: Ecosystem): EcosystemTargets {
  return {
    ecosystem,
    target(pkg) {
      return { ecosystem, distro: '', name: pkg.name, version: pkg.version };
    },
    unsupportedReason() {
      return `${ecosystem} packages could not be matched`;
    },
    rank() {
      return 0;
    },
  };
}
