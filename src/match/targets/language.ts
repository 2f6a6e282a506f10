import type { Ecosystem } from '../../types.js';
import type { EcosystemTargets } from '../target.js';

/**
 * Language packages are the same everywhere: no release key, OSV records by package
 * name (the store normalises names where the ecosystem does: PEP 503, NuGet case).
 */
/** Code compiled into a binary stays as built: the OS package's advisories do not cover it. */
const FROZEN_IN_BINARIES: ReadonlySet<Ecosystem> = new Set(['go', 'cargo']);

export function languageTargets(ecosystem: Ecosystem): EcosystemTargets {
  return {
    ecosystem,
    target(pkg) {
      if (pkg.ownedBy && !FROZEN_IN_BINARIES.has(ecosystem)) return undefined;
      return { ecosystem, distro: '', name: pkg.name, version: pkg.version };
    },
    unsupportedReason() {
      return `${ecosystem} packages installed by OS packages are covered by the OS advisories (the distribution patches them in place)`;
    },
    rank() {
      return 0;
    },
  };
}
