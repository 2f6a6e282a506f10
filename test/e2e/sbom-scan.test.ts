/**
 * `cavas scan sbom:FILE`: an SBOM cavas wrote of an image gives the vulnerability findings
 * of scanning that image; other tools' SBOMs give the findings for the packages they list.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScanResult, VulnerabilityFinding } from '../../src/types.js';
import { fixturePath } from '../sbom/fixtures.js';
import { IMAGES, cavas, corpusCache, tempDir, vulns } from './cli.js';

let cache: { dir: string; cleanup: () => void };
before(() => (cache = corpusCache()));
after(() => cache.cleanup());

/** What must not change between the image scan and the SBOM scan. */
function findingKeys(findings: VulnerabilityFinding[], key: (f: VulnerabilityFinding) => string = (f) => f.package.purl): string[] {
  return findings.map((f) => JSON.stringify([f.id, key(f), f.installedVersion, f.fixedVersion, f.severity])).sort();
}

function scanJson(args: string[]): { result: ScanResult; stderr: string } {
  const r = cavas(['--cache-dir', cache.dir, 'scan', ...args, '-f', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return { result: JSON.parse(r.stdout) as ScanResult, stderr: r.stderr };
}

/** One scan of the image writing the JSON report and both SBOMs. */
function scanImage(image: string): { json: ScanResult; cyclonedx: string; spdx: string } {
  const dir = tempDir('sbom-scan');
  const files = { json: join(dir, 'r.json'), cyclonedx: join(dir, 'bom.cdx.json'), spdx: join(dir, 'bom.spdx.json') };
  const r = cavas(['--cache-dir', cache.dir, 'scan', join(IMAGES, image), '-f', `json=${files.json}`, '-f', `cyclonedx=${files.cyclonedx}`, '-f', `spdx=${files.spdx}`]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(files.json, 'utf8')) as ScanResult;
  return { json, cyclonedx: files.cyclonedx, spdx: files.spdx };
}

const IMAGES_UNDER_TEST = [
  { image: 'debian-app.docker.tar.gz', nonEmpty: true },
  { image: 'alpine-3.16.9.docker.tar.gz', nonEmpty: true },
  { image: 'debian-distroless.docker.tar.gz', nonEmpty: false },
];

describe('scan sbom: of cavas\' own SBOMs', () => {
  for (const { image, nonEmpty } of IMAGES_UNDER_TEST) {
    describe(image, () => {
      let scanned: ReturnType<typeof scanImage>;
      before(() => (scanned = scanImage(image)));

      for (const format of ['cyclonedx', 'spdx'] as const) {
        it(`the ${format} SBOM gives the image's vulnerability findings`, () => {
          const { result, stderr } = scanJson([`sbom:${scanned[format]}`]);
          const expected = findingKeys(vulns(scanned.json));
          if (nonEmpty) assert.ok(expected.length > 0, 'the image has vulnerabilities');
          assert.deepEqual(findingKeys(vulns(result)), expected);
          assert.deepEqual(result.scanners, ['vuln']);
          assert.equal(result.image.transport, 'sbom');
          assert.equal(result.image.ref, `sbom:${scanned[format]}`);
          assert.deepEqual(result.inventory.os?.id, scanned.json.inventory.os?.id);
          assert.equal(result.inventory.packages.length, scanned.json.inventory.packages.length);
          assert.equal(result.summary.packages, scanned.json.summary.packages);
          assert.ok(result.remediation, 'remediation is computed, if with less to go on');
          assert.doesNotMatch(stderr, /scanner/, 'the default scanners become vuln only without a word');
        });
      }
    });
  }
});

describe('scan sbom: of other tools\' SBOMs', () => {
  let debian: ScanResult;
  let alpine: ScanResult;
  before(() => {
    debian = scanJson([join(IMAGES, 'debian-app.docker.tar.gz'), '--scanners', 'vuln']).result;
    alpine = scanJson([join(IMAGES, 'alpine-3.16.9.docker.tar.gz'), '--scanners', 'vuln']).result;
  });

  /** The image's findings for the packages (by name and version) the SBOM lists. */
  function expectedFor(image: ScanResult, sbom: ScanResult): string[] {
    const listed = new Set(sbom.inventory.packages.map((p) => `${p.name}@${p.version}`));
    return findingKeys(vulns(image).filter((f) => listed.has(`${f.package.name}@${f.installedVersion}`)), (f) => f.package.name);
  }

  it('a Trivy-style CycloneDX BOM: origins from its properties, the OS from its operating-system component', () => {
    const { result } = scanJson([`sbom:${fixturePath('trivy-alpine.cdx.json')}`]);
    const expected = expectedFor(alpine, result);
    assert.ok(expected.length > 0);
    assert.deepEqual(findingKeys(vulns(result), (f) => f.package.name), expected);
    assert.deepEqual(result.warnings, []);
  });

  it('a Syft-style SPDX document: source packages from upstream qualifiers, the OS from distro qualifiers', () => {
    const { result, stderr } = scanJson([`sbom:${fixturePath('syft-debian.spdx.json')}`]);
    const expected = expectedFor(debian, result);
    assert.ok(expected.some((k) => k.includes('"libssl3"')), 'libssl3 matched through src:openssl');
    assert.deepEqual(findingKeys(vulns(result), (f) => f.package.name), expected);
    assert.match(stderr, /1 SPDX package\(s\) skipped: no purl/);
  });
});

describe('scan sbom: options and errors', () => {
  const alpineBom = fixturePath('trivy-alpine.cdx.json');

  it('scanners that need an image, asked for by name, are dropped with a warning', () => {
    const { result, stderr } = scanJson([`sbom:${alpineBom}`, '--scanners', 'vuln,secret,config']);
    assert.deepEqual(result.scanners, ['vuln']);
    assert.ok(vulns(result).length > 0);
    assert.match(stderr, /cavas: warning: the config, secret scanners need an image, and an SBOM lists packages only: only vulnerabilities are looked for/);
  });

  it('.cavasignore and filters work as for images', () => {
    const dir = tempDir('sbom-ignore');
    const ignore = join(dir, 'ignore.yaml');
    writeFileSync(ignore, 'ignore:\n  - id: CVE-2023-42366\n    package: ssl_client\n    reason: not reachable here\n');
    const { result } = scanJson([`sbom:${alpineBom}`, '--ignore-file', ignore]);
    assert.deepEqual(vulns(result).map((f) => [f.id, f.package.name]), [['CVE-2023-42366', 'busybox']]);
    assert.equal(result.summary.suppressed, 1);
    const filtered = scanJson([`sbom:${alpineBom}`, '--severity', 'CRITICAL']).result;
    assert.deepEqual(filtered.findings, []);
  });

  it('a missing or malformed SBOM is a one-line error with exit code 2', () => {
    const dir = tempDir('sbom-bad');
    const missing = cavas(['--cache-dir', cache.dir, 'scan', `sbom:${join(dir, 'nope.json')}`]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^cavas: error: .*nope\.json: no such SBOM file\n$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"bomFormat": "CycloneDX", "components": [\n');
    const malformed = cavas(['--cache-dir', cache.dir, 'scan', `sbom:${bad}`]);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /^cavas: error: .*bad\.json: not valid JSON: [^\n]*\n$/);
  });
});
