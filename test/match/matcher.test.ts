import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedPackage } from '../../src/advisory/model.js';
import { matchInventory, type AdvisoryLookup, type AdvisoryRecord } from '../../src/match/matcher.js';
import type { Inventory, Package } from '../../src/types.js';

function pkg(name: string, version: string, source?: { name: string; version: string }): Package {
  const p: Package = { ecosystem: 'deb', name, version, purl: `pkg:deb/debian/${name}@${version}`, layer: 1, paths: ['var/lib/dpkg/status'] };
  if (source) p.source = source;
  return p;
}

function rec(id: string, source: string, affected: Partial<AffectedPackage> & { package: string }, extra: Partial<AdvisoryRecord> = {}): AdvisoryRecord {
  return { id, source, aliases: [], affected: { ecosystem: 'deb', distro: 'debian:12', status: 'fixed', ...affected }, ...extra };
}

class FakeDb implements AdvisoryLookup {
  queries: string[][] = [];
  constructor(private readonly records: AdvisoryRecord[], private readonly kev: string[] = []) {}
  findAffected(ecosystem: string, distro: string, names: string[]): AdvisoryRecord[] {
    this.queries.push(names);
    return this.records.filter((r) => r.affected.ecosystem === ecosystem && r.affected.distro === distro && names.includes(r.affected.package));
  }
  kevSet(cves: string[]): Set<string> {
    return new Set(cves.filter((c) => this.kev.includes(c)));
  }
}

const bookworm: Inventory['os'] = { id: 'debian', version: '12', codename: 'bookworm' };

describe('matchInventory', () => {
  it('matches binaries through their source package, in one query, and flags KEV', () => {
    const inv: Inventory = { os: bookworm, packages: [pkg('libssl3', '3.0.9-1', { name: 'openssl', version: '3.0.9-1' }), pkg('openssl', '3.0.9-1')] };
    const db = new FakeDb([rec('CVE-2023-5363', 'debian-tracker', { package: 'openssl', fixedVersion: '3.0.11-1~deb12u2', vendorSeverity: 'HIGH' })], ['CVE-2023-5363']);
    const findings = matchInventory(inv, db, []);
    assert.equal(db.queries.length, 1);
    assert.deepEqual(findings.map((f) => [f.id, f.package.name, f.fixedVersion, f.severity, f.kev]), [
      ['CVE-2023-5363', 'libssl3', '3.0.11-1~deb12u2', 'HIGH', true],
      ['CVE-2023-5363', 'openssl', '3.0.11-1~deb12u2', 'HIGH', true],
    ]);
  });

  it('the tracker decides over OSV, and OSV ids become aliases; a DSA speaks for each of its CVEs', () => {
    const inv: Inventory = { os: bookworm, packages: [pkg('python3.11', '3.11.2-6')] };
    const osvRange = { ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '3.11.2-6+deb12u3' }] }] };
    const db = new FakeDb([
      rec('CVE-2024-0397', 'debian-tracker', { package: 'python3.11', status: 'not_affected' }),
      rec('DSA-5759-1', 'osv', { package: 'python3.11', ...osvRange }, { aliases: ['CVE-2024-0397', 'CVE-2024-4032', 'DEBIAN-CVE-2024-0397', 'DEBIAN-CVE-2024-4032'] }),
      rec('DEBIAN-CVE-2024-4032', 'osv', { package: 'python3.11', ...osvRange }, { aliases: ['CVE-2024-4032'], severity: 'MEDIUM', cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' }),
    ]);
    const findings = matchInventory(inv, db, []);
    assert.equal(findings.length, 1, 'the tracker says CVE-2024-0397 does not affect bookworm');
    const f = findings[0]!;
    assert.equal(f.id, 'CVE-2024-4032');
    assert.deepEqual(f.aliases, ['DEBIAN-CVE-2024-4032', 'DSA-5759-1']);
    assert.equal(f.fixedVersion, '3.11.2-6+deb12u3');
    assert.equal(f.severity, 'MEDIUM');
    assert.equal(f.severitySource, 'cvss');
  });

  it('ignores withdrawn records, reports open issues as unfixed, and warns about unknown releases', () => {
    const inv: Inventory = { os: bookworm, packages: [pkg('apt', '2.6.1'), pkg('zlib1g', '1:1.2.13.dfsg-1', { name: 'zlib', version: '1:1.2.13.dfsg-1' })] };
    const db = new FakeDb([
      rec('CVE-2011-3374', 'debian-tracker', { package: 'apt', status: 'unfixed', vendorSeverity: 'NEGLIGIBLE' }),
      rec('CVE-2099-0001', 'osv', { package: 'zlib', status: 'unfixed' }, { withdrawn: '2024-01-01T00:00:00Z' }),
    ]);
    const findings = matchInventory(inv, db, []);
    assert.deepEqual(findings.map((f) => [f.id, f.fixedVersion, f.status]), [['CVE-2011-3374', 'unfixed', 'unfixed']]);

    const warnings: string[] = [];
    assert.deepEqual(matchInventory({ os: { id: 'debian', version: '' }, packages: [pkg('apt', '2.6.1')] }, db, warnings), []);
    assert.match(warnings[0] ?? '', /1 package\(s\) not checked/);
  });
});
