/**
 * How one ecosystem's installed packages are looked up in the advisory store. Each
 * ecosystem is a module in targets/; the matcher itself knows none of them.
 */
import type { Ecosystem, OsInfo, Package } from '../types.js';

export interface MatchTarget {
  ecosystem: Ecosystem;
  /** Store key of the release ('debian:12', 'alpine:v3.16'); '' for language ecosystems. */
  distro: string;
  /** Name the advisories use: Debian source package, Alpine origin, ... */
  name: string;
  /** Version compared against the advisories (Debian: the source version). */
  version: string;
}

export interface EcosystemTargets {
  readonly ecosystem: Ecosystem;
  /** undefined when the package cannot be matched (unknown release): the caller warns once. */
  target(pkg: Package, os: OsInfo | undefined): MatchTarget | undefined;
  /** Why target() gave up for this OS, for the warning. */
  unsupportedReason(os: OsInfo | undefined): string;
  /**
   * When several feeds speak about the same vulnerability in the same package, the
   * statement with the lowest rank decides (the distribution's own tracker first).
   */
  rank(source: string, advisoryId: string): number;
}
