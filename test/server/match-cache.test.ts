/**
 * The re-match's per-package cache must give exactly what matchInventory gives, for the
 * real corpus inventories against the real corpus advisory DB, including inventories that
 * share entries, move a package to another layer or change a version.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdvisoryDb } from '../../src/advisory/store.js';
import { matchInventory, type AdvisoryLookup } from '../../src/match/matcher.js';
import { CachingLookup } from '../../src/server/advisory-lookup.js';
import { PackageMatchCache } from '../../src/server/match-cache.js';
import type { Inventory, Package } from '../../src/types.js';
import { advisoryDbPath } from '../../src/util/cache-dir.js';
import { corpusCache, IMAGES, scanJson } from '../e2e/cli.js';

const IMAGE_FILES = ['debian-app.docker.tar.gz', 'debian-distroless.docker.tar.gz', 'alpine-3.16.9.docker.tar.gz'];

class CountingLookup implements AdvisoryLookup {
  calls = 0;
  constructor(private readonly db: AdvisoryLookup) {}
  findAffected(ecosystem: string, distro: string, names: string[]): ReturnType<AdvisoryLookup['findAffected']> {
    this.calls++;
    return this.db.findAffected(ecosystem, distro, names);
  }
  kevSet(cves: string[]): Set<string> {
    return this.db.kevSet(cves);
  }
}

/** The last run of digits moved down by one: an older build of the same package. */
function older(p: Package): Package {
  const version = p.version.replace(/(\d+)(\D*)$/, (_m, d: string, rest: string) => `${Math.max(0, Number(d) - 1)}${rest}`);
  const out: Package = { ...p, version, purl: p.purl.replace(`@${p.version}`, `@${version}`) };
  if (p.source) out.source = { ...p.source, version: p.source.version === p.version ? version : p.source.version };
  return out;
}

describe('PackageMatchCache', () => {
  let cache: { dir: string; cleanup: () => void };
  let db: AdvisoryDb;
  const inventories: Inventory[] = [];

  before(() => {
    cache = corpusCache();
    for (const file of IMAGE_FILES) inventories.push(scanJson(cache.dir, join(IMAGES, file), ['--scanners', 'vuln']).inventory);
    db = AdvisoryDb.open(advisoryDbPath(cache.dir));
  });
  after(() => {
    db?.close();
    cache?.cleanup();
  });

  it('gives what matchInventory gives, for real inventories and variants of them', () => {
    const counting = new CountingLookup(new CachingLookup(db));
    const matcher = new PackageMatchCache(counting);
    const variants: Inventory[] = [];
    for (const inv of inventories) {
      variants.push(inv);
      // every third package older, one package moved to another layer, one entry twice in two layers
      const changed = inv.packages.map((p, i) => (i % 3 === 0 ? older(p) : p));
      changed[1] = { ...changed[1]!, layer: changed[1]!.layer + 1 };
      changed.push({ ...inv.packages[0]!, layer: 9, paths: ['elsewhere'] });
      variants.push({ ...inv, packages: changed });
      // the same packages on another release of the same distribution
      if (inv.os) variants.push({ ...inv, os: { ...inv.os, version: inv.os.id === 'alpine' ? '3.19.1' : '11', codename: inv.os.id === 'alpine' ? undefined : 'bullseye' } });
      variants.push({ packages: inv.packages });
    }
    let total = 0;
    for (const inv of variants) {
      const expected = matchInventory(inv, db, []);
      assert.deepEqual(matcher.match(inv), expected);
      total += expected.length;
    }
    assert.ok(total > 300, `the corpus yields findings (${total})`);

    // a second pass is all hits: no lookups, the same finding objects, all frozen
    const callsBefore = counting.calls;
    const first = matcher.match(variants[0]!);
    const second = matcher.match(structuredClone(variants[0]!));
    assert.equal(counting.calls, callsBefore);
    assert.equal(first.length, second.length);
    first.forEach((f, i) => assert.equal(second[i], f));
    for (const f of first) {
      assert.ok(Object.isFrozen(f) && Object.isFrozen(f.package) && Object.isFrozen(f.aliases) && Object.isFrozen(f.sources));
    }
  });
});
