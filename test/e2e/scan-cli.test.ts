/** The scan command as CI uses it: formats, filters, exit codes, output files, validated SBOMs. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { IMAGES, cavas, corpusCache, scanJson, tempDir, vulns } from './cli.js';

let cache: { dir: string; cleanup: () => void };
let work: string;
const APP = join(IMAGES, 'debian-app.docker.tar.gz');
const ALPINE = join(IMAGES, 'alpine-3.16.9.oci.tar');
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'];

before(() => {
  cache = corpusCache();
  work = tempDir('scan-cli');
});
after(() => {
  cache.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('cavas scan', () => {
  it('json: findings carry id, aliases, package, versions, severity, title and layer; sorted by severity', () => {
    const r = scanJson(cache.dir, APP);
    assert.equal(r.schema, 'cavas.scan-result/v2');
    assert.equal(r.inventory.packages.filter((p) => p.ecosystem === 'deb').length, 117);
    assert.equal(r.inventory.packages.filter((p) => p.ecosystem === 'npm').length, 69);
    assert.equal(r.inventory.os?.codename, 'bookworm');
    // sorted by severity within each kind; vulnerabilities first
    for (const kind of ['vulnerability', 'config', 'secret', 'malware'] as const) {
      const ranks = r.findings.filter((f) => f.kind === kind).map((f) => SEVERITIES.indexOf(f.severity));
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), kind);
    }
    assert.equal(r.findings[0]!.kind, 'vulnerability');
    // zlib's minizip CVE is open in bookworm (OSV DEBIAN-CVE record): unfixed, and merged with its Debian id
    const zlib = vulns(r).find((f) => f.id === 'CVE-2023-45853' && f.package.name === 'zlib1g');
    assert.ok(zlib, 'CVE-2023-45853 on zlib1g');
    assert.equal(zlib.fixedVersion, 'unfixed');
    assert.ok(zlib.aliases.includes('DEBIAN-CVE-2023-45853'));
    assert.equal(zlib.layer, 0);
    // libssl3 is matched through its source package openssl, found in layer 1
    const ssl = vulns(r).filter((f) => f.package.name === 'libssl3');
    assert.ok(ssl.length > 0);
    assert.ok(ssl.every((f) => f.package.source?.name === 'openssl' && f.layer === 1 && f.title));
    assert.equal(r.summary.findings, r.findings.length);
    assert.deepEqual([r.remediation?.baseLayers, r.remediation?.updatedBase, r.remediation?.baseUnfixed, r.remediation?.appChanges], [1, 20, 3, 177]);
    const lodash = r.remediation!.packages.find((p) => p.name === 'lodash');
    assert.equal(lodash?.fixAllVersion, '4.17.21');
    assert.equal(lodash?.origin, 'app');
  });

  it('--severity and --ignore-unfixed filter; --exit-code fires only when findings remain', () => {
    const all = scanJson(cache.dir, APP);
    const high = scanJson(cache.dir, APP, ['--severity', 'HIGH+']);
    assert.equal(high.findings.length, all.findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH').length);
    assert.ok(high.findings.length > 0 && high.findings.length < all.findings.length);
    const fixed = scanJson(cache.dir, APP, ['--ignore-unfixed']);
    assert.equal(vulns(fixed).length, vulns(all).filter((f) => f.fixedVersion !== 'unfixed').length);
    assert.ok(vulns(fixed).every((f) => f.status === 'fixed'));
    assert.equal(fixed.findings.length - vulns(fixed).length, all.findings.length - vulns(all).length, '--ignore-unfixed leaves other kinds alone');

    assert.equal(cavas(['--cache-dir', cache.dir, 'scan', APP, '-f', 'json', '--exit-code', '3']).status, 3);
    assert.equal(cavas(['--cache-dir', cache.dir, 'scan', APP, '-f', 'json']).status, 0);
    // alpine 3.16.9 has only UNKNOWN-severity findings: a CRITICAL gate passes
    assert.equal(cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '-f', 'json', '--severity', 'CRITICAL', '--exit-code', '1']).status, 0);
    assert.equal(cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '-f', 'json', '--exit-code', '1']).status, 1);
  });

  it('table is the default, sorted by severity within each target, without colour when piped', () => {
    const r = cavas(['--cache-dir', cache.dir, 'scan', APP, '--scanners', 'vuln']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.includes('\u001b['), false, 'no ANSI escapes');
    assert.match(r.stdout, /Debian GNU\/Linux 12 \(bookworm\)/);
    // one table per target (OS packages, the npm app, ...): each is sorted on its own
    const tables = r.stdout.split(/\n(?=\S[^\n]*\nTotal: )/);
    assert.ok(tables.length >= 3);
    let rows = 0;
    for (const t of tables) {
      const sevs = t.split('\n').filter((l) => l.startsWith('│')).map((l) => SEVERITIES.find((s) => l.includes(` ${s} `))).filter(Boolean) as string[];
      rows += sevs.length;
      const ranks = sevs.map((s) => SEVERITIES.indexOf(s));
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    }
    assert.ok(rows > 50);
    assert.match(r.stdout, /Total: \d+ \(CRITICAL: \d+, HIGH: \d+,/);
    // which findings a rebuild on an updated base (layer 0) removes, and which need the application's own layers changed
    assert.match(r.stdout, /^Remediation \(base image = layer 0\): 20 vulnerabilities go away by rebuilding on an updated base image \(3 more in it have no fix yet\); 177 need changes in the application's own layers\.$/m);
  });

  it('cyclonedx to a file validates against the CycloneDX 1.6 schema, with purls and affects', async () => {
    for (const [image, purl] of [
      [APP, /^pkg:deb\/debian\/libssl3@3\.0\.20-1~deb12u2\?arch=amd64&distro=debian-12$/],
      [ALPINE, /^pkg:apk\/alpine\/busybox@1\.35\.0-r17\?arch=x86_64&distro=3\.16\.9$/],
    ] as const) {
      const out = join(work, 'bom.json');
      const r = cavas(['--cache-dir', cache.dir, 'scan', image, '--format', 'cyclonedx', '--output', out]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      const text = readFileSync(out, 'utf8');
      const error = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
      assert.equal(error, null, JSON.stringify(error));
      const bom = JSON.parse(text) as {
        specVersion: string;
        components: Array<{ purl?: string; 'bom-ref'?: string }>;
        vulnerabilities: Array<{ id: string; affects: Array<{ ref: string }> }>;
      };
      assert.equal(bom.specVersion, '1.6');
      assert.ok(bom.components.some((c) => purl.test(c.purl ?? '')), `a component matching ${purl}`);
      const refs = new Set(bom.components.map((c) => c['bom-ref']));
      assert.ok(bom.vulnerabilities.length > 0);
      for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), `${v.id} affects a known component`);
      rmSync(out);
    }
  });

  it('usage errors exit 2 with one line', () => {
    for (const args of [
      ['scan', APP, '--format', 'yaml'],
      ['scan', APP, '--severity', 'SEVERE'],
      ['scan', APP, '--exit-code', 'x'],
      ['scan'],
      ['frobnicate'],
    ]) {
      const r = cavas(['--cache-dir', cache.dir, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('without a DB the scan says how to get one', () => {
    const empty = tempDir('nodb');
    const r = cavas(['--cache-dir', empty, 'scan', APP]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cavas db update/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(join(empty, 'db', 'advisories.db')), false);
    rmSync(empty, { recursive: true, force: true });
  });
});
