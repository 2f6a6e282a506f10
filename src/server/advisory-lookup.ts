/**
 * A re-match asks the advisory DB about the same packages over and over: thousands of
 * stored images share their base layers. This lookup remembers every answer for one
 * re-match run, so each (ecosystem, release, package) is read from SQLite once.
 */
import { packageKey } from '../advisory/store.js';
import type { AdvisoryLookup, AdvisoryRecord } from '../match/matcher.js';

export class CachingLookup implements AdvisoryLookup {
  private readonly affected = new Map<string, AdvisoryRecord[]>();
  private readonly kev = new Map<string, boolean>();

  constructor(private readonly db: AdvisoryLookup) {}

  findAffected(ecosystem: string, distro: string, packageNames: string[]): AdvisoryRecord[] {
    const scope = `${ecosystem}\u0000${distro}\u0000`;
    const keys = packageNames.map((n) => packageKey(ecosystem, n));
    const missing = [...new Set(keys.filter((k) => !this.affected.has(scope + k)))];
    if (missing.length > 0) {
      const names = packageNames.filter((n, i) => missing.includes(keys[i]!));
      for (const k of missing) this.affected.set(scope + k, []);
      for (const record of this.db.findAffected(ecosystem, distro, names)) {
        this.affected.get(scope + packageKey(ecosystem, record.affected.package))?.push(record);
      }
    }
    return [...new Set(keys)].flatMap((k) => this.affected.get(scope + k) ?? []);
  }

  kevSet(cves: string[]): Set<string> {
    const missing = [...new Set(cves.filter((c) => !this.kev.has(c)))];
    if (missing.length > 0) {
      const found = this.db.kevSet(missing);
      for (const c of missing) this.kev.set(c, found.has(c));
    }
    return new Set(cves.filter((c) => this.kev.get(c)));
  }
}
