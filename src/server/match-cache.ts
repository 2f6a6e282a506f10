/**
 * A re-match sees the same package entries over and over: stored images share base layers,
 * and an image rebuilt on a new base differs in a few packages only. This remembers each
 * entry's findings for one re-match run, so every distinct (OS, package entry) is matched
 * once however many inventories hold it.
 *
 * The key is the whole package entry (layer, paths, ownership included) and the whole OS
 * record: whatever the matcher may read is in it, so a hit returns exactly what matching
 * would. Findings are frozen and shared between inventories: nobody may change them, and
 * the store may remember their serialisation.
 */
import { matchInventory, sortFindings, type AdvisoryLookup } from '../match/matcher.js';
import type { Inventory, VulnerabilityFinding } from '../types.js';

/** Past this many distinct entries the cache starts over: memory stays bounded on huge fleets. */
const MAX_ENTRIES = 250_000;

export class PackageMatchCache {
  private readonly byEntry = new Map<string, readonly VulnerabilityFinding[]>();

  constructor(private readonly lookup: AdvisoryLookup) {}

  /** What `matchInventory(inventory, lookup, [])` returns, matching only entries not seen before. */
  match(inventory: Inventory): VulnerabilityFinding[] {
    const os = JSON.stringify(inventory.os ?? null);
    const out: VulnerabilityFinding[] = [];
    for (const pkg of inventory.packages) {
      const key = `${os}\u0000${JSON.stringify(pkg)}`;
      let findings = this.byEntry.get(key);
      if (findings === undefined) {
        // a package's findings depend on nothing else in the inventory but the OS
        findings = matchInventory({ ...(inventory.os ? { os: inventory.os } : {}), packages: [pkg] }, this.lookup, []).map(freeze);
        if (this.byEntry.size >= MAX_ENTRIES) this.byEntry.clear();
        this.byEntry.set(key, findings);
      }
      for (const f of findings) out.push(f);
    }
    // the same order matchInventory gives: its sort is stable and the input is in package order
    return sortFindings(out);
  }
}

function freeze(f: VulnerabilityFinding): VulnerabilityFinding {
  Object.freeze(f.aliases);
  Object.freeze(f.sources);
  if (f.package.source) Object.freeze(f.package.source);
  Object.freeze(f.package);
  if (f.cvss) Object.freeze(f.cvss);
  return Object.freeze(f);
}
