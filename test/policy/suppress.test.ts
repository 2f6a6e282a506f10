import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIgnoreFile } from '../../src/policy/ignore-file.js';
import { parseOpenVex } from '../../src/policy/openvex.js';
import { applySuppressions, expiredEntries } from '../../src/policy/suppress.js';
import type { Finding } from '../../src/types.js';
import { keyFinding, npmFinding, opensslFinding, zlibFinding, ZLIB_PURL } from './fixtures.js';

const NOW = new Date('2026-11-29T12:00:00Z');

function ignore(yamlEntries: string): ReturnType<typeof parseIgnoreFile> {
  return parseIgnoreFile(`ignore:\n${yamlEntries}`, '.cavasignore');
}

function keptIds(kept: Finding[]): string[] {
  return kept.map((f) => (f.kind === 'vulnerability' ? `${f.id} ${f.package.name}` : `${f.ruleId} ${f.path ?? ''}`));
}

describe('.cavasignore entries', () => {
  it('by id: suppresses that vulnerability, with reason and source, and nothing else', () => {
    const all = [zlibFinding(), opensslFinding(), npmFinding()];
    const r = applySuppressions(all, { ignore: ignore('  - {id: CVE-2023-45853, reason: minizip not shipped}\n') }, NOW);
    assert.deepEqual(keptIds(r.kept), ['CVE-2023-5678 libssl3', 'CVE-2022-24999 qs']);
    assert.deepEqual(r.suppressed, [{ finding: all[0], by: 'cavasignore', reason: 'minizip not shipped', source: '.cavasignore' }]);
  });
  it('id compare ignores case (GHSA ids are written both ways)', () => {
    const r = applySuppressions([npmFinding()], { ignore: ignore('  - {id: ghsa-HRPP-h998-j3pp, reason: qs only parses trusted input}\n') }, NOW);
    assert.equal(r.kept.length, 0);
  });
  it('by alias: a DSA id suppresses the CVE finding that lists it', () => {
    const r = applySuppressions([opensslFinding(), zlibFinding()], { ignore: ignore('  - {id: DSA-5532-1, reason: DH parameters are never loaded from users}\n') }, NOW);
    assert.deepEqual(keptIds(r.kept), ['CVE-2023-45853 zlib1g']);
    assert.equal(r.suppressed[0]?.finding.kind === 'vulnerability' && r.suppressed[0].finding.id, 'CVE-2023-5678');
  });
  it('package filter: by name, or by purl parts (version and qualifiers optional)', () => {
    const f = [zlibFinding(), zlibFinding({ package: { name: 'zlib1g-dev', version: '1:1.2.13.dfsg-1', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12' } })];
    const run = (pkg: string): string[] => keptIds(applySuppressions(f, { ignore: ignore(`  - {id: CVE-2023-45853, package: "${pkg}", reason: r}\n`) }, NOW).kept);
    assert.deepEqual(run('zlib1g'), ['CVE-2023-45853 zlib1g-dev']);
    assert.deepEqual(run('zlib'), ['CVE-2023-45853 zlib1g', 'CVE-2023-45853 zlib1g-dev'], 'names match exactly, not by prefix');
    assert.deepEqual(run('pkg:deb/debian/zlib1g'), ['CVE-2023-45853 zlib1g-dev'], 'a purl without version covers every version, not zlib1g-dev');
    assert.deepEqual(run('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1'), ['CVE-2023-45853 zlib1g-dev']);
    assert.deepEqual(run('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12'), ['CVE-2023-45853 zlib1g-dev']);
    assert.deepEqual(run('pkg:deb/debian/zlib1g@1:1.2.11.dfsg-2'), ['CVE-2023-45853 zlib1g', 'CVE-2023-45853 zlib1g-dev'], 'other version');
    assert.deepEqual(run('pkg:deb/debian/zlib1g?arch=arm64'), ['CVE-2023-45853 zlib1g', 'CVE-2023-45853 zlib1g-dev'], 'other arch');
    assert.deepEqual(run('pkg:deb/ubuntu/zlib1g'), ['CVE-2023-45853 zlib1g', 'CVE-2023-45853 zlib1g-dev'], 'other namespace');
  });
  it('path glob for secrets: only keys under the glob, and a package entry never covers a file', () => {
    const keys = [keyFinding('app/test/fixtures/server.key'), keyFinding('etc/ssl/private/prod.key'), keyFinding('app/.ssh/id_rsa')];
    const r = applySuppressions(keys, { ignore: ignore('  - {id: secret/private-key, path: "/app/test/**", reason: throwaway test key}\n  - {id: secret/private-key, package: openssl, reason: wrong}\n') }, NOW);
    assert.deepEqual(keptIds(r.kept), ['secret/private-key etc/ssl/private/prod.key', 'secret/private-key app/.ssh/id_rsa']);
    assert.deepEqual(r.suppressed.map((s) => s.reason), ['throwaway test key']);
    const dot = applySuppressions(keys, { ignore: ignore('  - {id: secret/private-key, path: "app/**/id_rsa", reason: r}\n') }, NOW);
    assert.deepEqual(keptIds(dot.kept), ['secret/private-key app/test/fixtures/server.key', 'secret/private-key etc/ssl/private/prod.key'], 'globs cross dot directories');
  });
  it('a rule id entry without path covers the rule everywhere; a path entry never covers a vulnerability', () => {
    const all: Finding[] = [keyFinding('a.pem'), keyFinding('b/c.pem'), zlibFinding()];
    assert.deepEqual(keptIds(applySuppressions(all, { ignore: ignore('  - {id: secret/private-key, reason: r}\n') }, NOW).kept), ['CVE-2023-45853 zlib1g']);
    assert.equal(applySuppressions([zlibFinding()], { ignore: ignore('  - {id: CVE-2023-45853, path: "**", reason: r}\n') }, NOW).kept.length, 1);
  });
  it('expiry with a fixed clock: active through the day, then the finding comes back', () => {
    const entries = ignore('  - {id: CVE-2023-45853, reason: waiting for the bookworm point release, expires: 2026-12-15}\n');
    const before = applySuppressions([zlibFinding()], { ignore: entries }, new Date('2026-12-14T08:00:00Z'));
    assert.equal(before.kept.length, 0);
    assert.equal(before.suppressed[0]?.expires, '2026-12-15');
    assert.equal(applySuppressions([zlibFinding()], { ignore: entries }, new Date('2026-12-15T23:59:00Z')).kept.length, 0, 'still active on the day itself');
    const after = applySuppressions([zlibFinding()], { ignore: entries }, new Date('2026-12-16T00:00:00Z'));
    assert.deepEqual(keptIds(after.kept), ['CVE-2023-45853 zlib1g']);
    assert.deepEqual(after.suppressed, []);
    assert.deepEqual(expiredEntries(entries, new Date('2026-12-16T00:00:00Z')).map((e) => e.index), [0]);
    assert.deepEqual(expiredEntries(entries, new Date('2026-12-14T00:00:00Z')), []);
  });
  it('an expired entry does not hide a later active one for the same finding', () => {
    const entries = ignore('  - {id: CVE-2023-45853, reason: old, expires: 2025-01-01}\n  - {id: CVE-2023-45853, reason: renewed, expires: 2027-01-01}\n');
    assert.deepEqual(applySuppressions([zlibFinding()], { ignore: entries }, NOW).suppressed.map((s) => s.reason), ['renewed']);
  });
});

const IMAGE = 'pkg:oci/app@sha256%3Aaaaa1111?repository_url=registry.example.com/team/app';

function vex(statements: unknown[]): ReturnType<typeof parseOpenVex> {
  return parseOpenVex(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'Example', timestamp: '2026-11-01T00:00:00Z', version: 1, statements }), 'app.openvex.json');
}

function stmt(status: string, products: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { vulnerability: { name: 'CVE-2023-45853' }, products, status, ...extra };
}

describe('OpenVEX statements', () => {
  it('not_affected suppresses, carrying justification, impact statement and source', () => {
    const r = applySuppressions([zlibFinding(), opensslFinding()], {
      vex: vex([stmt('not_affected', [{ '@id': 'pkg:deb/debian/zlib1g' }], { justification: 'vulnerable_code_not_present', impact_statement: 'minizip is not built' })]),
    }, NOW);
    assert.deepEqual(keptIds(r.kept), ['CVE-2023-5678 libssl3']);
    assert.deepEqual(r.suppressed, [{ finding: zlibFinding(), by: 'openvex', reason: 'minizip is not built', justification: 'vulnerable_code_not_present', vexStatus: 'not_affected', source: 'app.openvex.json' }]);
  });
  it('fixed suppresses; the reason falls back to status and justification', () => {
    const r = applySuppressions([zlibFinding()], { vex: vex([stmt('fixed', [{ '@id': 'pkg:deb/debian/zlib1g' }])]) }, NOW);
    assert.deepEqual(r.suppressed.map((s) => [s.reason, s.vexStatus]), [['fixed', 'fixed']]);
    const j = applySuppressions([zlibFinding()], { vex: vex([stmt('not_affected', [{ '@id': 'pkg:deb/debian/zlib1g' }], { justification: 'component_not_present' })]) }, NOW);
    assert.equal(j.suppressed[0]?.reason, 'not_affected: component_not_present');
  });
  it('affected and under_investigation do not suppress', () => {
    for (const status of ['affected', 'under_investigation']) {
      const r = applySuppressions([zlibFinding()], { vex: vex([stmt(status, [{ '@id': 'pkg:deb/debian/zlib1g' }], { action_statement: 'upgrade' })]) }, NOW);
      assert.equal(r.kept.length, 1, status);
      assert.equal(r.suppressed.length, 0, status);
    }
  });
  it('matches through aliases on either side', () => {
    const viaFindingAlias = vex([{ vulnerability: { name: 'DSA-5532-1' }, products: [{ '@id': 'pkg:deb/debian/libssl3' }], status: 'not_affected' }]);
    assert.equal(applySuppressions([opensslFinding()], { vex: viaFindingAlias }, NOW).kept.length, 0);
    const viaStatementAlias = vex([{ vulnerability: { name: 'GHSA-hrpp-h998-j3pp', aliases: ['CVE-2022-24999'] }, products: [{ '@id': 'pkg:npm/qs' }], status: 'not_affected' }]);
    assert.equal(applySuppressions([npmFinding()], { vex: viaStatementAlias }, NOW).kept.length, 0);
    const byIri = vex([{ vulnerability: { '@id': 'https://nvd.nist.gov/vuln/detail/CVE-2023-45853' }, products: [{ '@id': 'pkg:deb/debian/zlib1g' }], status: 'not_affected' }]);
    assert.equal(applySuppressions([zlibFinding()], { vex: byIri }, NOW).kept.length, 0);
    const other = vex([{ vulnerability: { name: 'CVE-2022-37434' }, products: [{ '@id': 'pkg:deb/debian/zlib1g' }], status: 'not_affected' }]);
    assert.equal(applySuppressions([zlibFinding()], { vex: other }, NOW).kept.length, 1, 'another CVE on the same package');
  });
  it('purl matching: versions and qualifiers count only when the statement gives them', () => {
    const covers = (purl: string): boolean => applySuppressions([zlibFinding()], { vex: vex([stmt('not_affected', [{ '@id': purl }])]) }, NOW).kept.length === 0;
    assert.equal(covers(ZLIB_PURL), true, 'exact purl');
    assert.equal(covers('pkg:deb/debian/zlib1g'), true, 'no version, no qualifiers');
    assert.equal(covers('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1'), true, 'version, no qualifiers');
    assert.equal(covers('pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64'), true, 'percent-encoded epoch, subset of qualifiers');
    assert.equal(covers('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12'), true);
    assert.equal(covers('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=arm64'), false, 'other arch');
    assert.equal(covers('pkg:deb/debian/zlib1g?distro=debian-11'), false, 'other release');
    assert.equal(covers('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-3'), false, 'other version');
    assert.equal(covers('pkg:deb/debian/zlib1g-dev'), false, 'no prefix matching on names');
    assert.equal(covers('pkg:rpm/redhat/zlib1g'), false, 'other type');
  });
  it('identifiers.purl names the product when @id is not a purl', () => {
    const r = applySuppressions([zlibFinding()], { vex: vex([stmt('not_affected', [{ '@id': 'urn:uuid:7b6f1c2e', identifiers: { purl: 'pkg:deb/debian/zlib1g' } }])]) }, NOW);
    assert.equal(r.kept.length, 0);
  });
  it('the image as product, no subcomponents: covers the vulnerability in every package', () => {
    const r = applySuppressions([zlibFinding(), zlibFinding({ package: { name: 'zlib1g-dev', version: '1:1.2.13.dfsg-1', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1' } }), opensslFinding()], { vex: vex([stmt('not_affected', [{ '@id': IMAGE }])]) }, NOW);
    assert.deepEqual(keptIds(r.kept), ['CVE-2023-5678 libssl3']);
  });
  it('subcomponents narrow the statement to those packages', () => {
    const f = [zlibFinding(), zlibFinding({ package: { name: 'zlib1g-dev', version: '1:1.2.13.dfsg-1', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1' } })];
    const r = applySuppressions(f, { vex: vex([stmt('not_affected', [{ '@id': IMAGE, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' }] }])]) }, NOW);
    assert.deepEqual(keptIds(r.kept), ['CVE-2023-45853 zlib1g-dev']);
    const viaIdentifiers = vex([stmt('not_affected', [{ '@id': IMAGE, subcomponents: [{ '@id': 'urn:x', identifiers: { purl: 'pkg:deb/debian/zlib1g-dev' } }] }])]);
    assert.deepEqual(keptIds(applySuppressions(f, { vex: viaIdentifiers }, NOW).kept), ['CVE-2023-45853 zlib1g']);
    const cpeOnly = vex([stmt('not_affected', [{ '@id': IMAGE, subcomponents: [{ '@id': 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*' }] }])]);
    assert.equal(applySuppressions(f, { vex: cpeOnly }, NOW).kept.length, 2, 'a subcomponent without a purl matches nothing, it does not widen to the image');
  });
  it('with imageDigests given, a pkg:oci product for another digest is ignored', () => {
    const s = vex([stmt('not_affected', [{ '@id': IMAGE }])]);
    assert.equal(applySuppressions([zlibFinding()], { vex: s }, NOW, { imageDigests: ['sha256:AAAA1111'] }).kept.length, 0);
    assert.equal(applySuppressions([zlibFinding()], { vex: s }, NOW, { imageDigests: ['sha256:bbbb2222'] }).kept.length, 1);
    const sub = vex([stmt('not_affected', [{ '@id': IMAGE, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g' }] }])]);
    assert.equal(applySuppressions([zlibFinding()], { vex: sub }, NOW, { imageDigests: ['sha256:bbbb2222'] }).kept.length, 1);
    const noDigest = vex([stmt('not_affected', [{ '@id': 'pkg:oci/app' }])]);
    assert.equal(applySuppressions([zlibFinding()], { vex: noDigest }, NOW, { imageDigests: ['sha256:bbbb2222'] }).kept.length, 0, 'pkg:oci without version: any image');
  });
  it('the latest statement wins: a later affected overrides an earlier not_affected, and back', () => {
    const p = [{ '@id': 'pkg:deb/debian/zlib1g' }];
    const laterAffected = vex([stmt('not_affected', p, { timestamp: '2026-11-02T00:00:00Z' }), stmt('affected', p, { timestamp: '2026-11-20T00:00:00Z' })]);
    assert.equal(applySuppressions([zlibFinding()], { vex: laterAffected }, NOW).kept.length, 1);
    const earlierAffected = vex([stmt('not_affected', p, { timestamp: '2026-11-20T00:00:00Z' }), stmt('affected', p, { timestamp: '2026-11-02T00:00:00Z' })]);
    assert.equal(applySuppressions([zlibFinding()], { vex: earlierAffected }, NOW).kept.length, 0, 'time, not position, decides');
  });
  it('rule findings are never touched by VEX', () => {
    const r = applySuppressions([keyFinding('a.key')], { vex: vex([{ vulnerability: { name: 'secret/private-key' }, products: [{ '@id': IMAGE }], status: 'not_affected' }]) }, NOW);
    assert.equal(r.kept.length, 1);
  });
  it('a matching .cavasignore entry takes precedence over VEX', () => {
    const r = applySuppressions([zlibFinding()], {
      ignore: ignore('  - {id: CVE-2023-45853, reason: local decision}\n'),
      vex: vex([stmt('not_affected', [{ '@id': 'pkg:deb/debian/zlib1g' }], { impact_statement: 'supplier says no' })]),
    }, NOW);
    assert.deepEqual(r.suppressed.map((s) => [s.by, s.reason]), [['cavasignore', 'local decision']]);
  });
  it('no sources: everything kept, in order', () => {
    const all = [zlibFinding(), keyFinding('x'), npmFinding()];
    assert.deepEqual(applySuppressions(all, {}, NOW), { kept: all, suppressed: [] });
  });
});
