import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchInventory, type AdvisoryLookup, type AdvisoryRecord } from '../../src/match/matcher.js';
import { cyclonedxReporter } from '../../src/report/cyclonedx.js';
import { parseSbom } from '../../src/sbom/read.js';
import { fixtureText, richResult } from './fixtures.js';

const D1 = `sha256:${'1'.repeat(64)}`;

function lookup(records: AdvisoryRecord[]): AdvisoryLookup {
  return {
    findAffected: (ecosystem, distro, names) => records.filter((r) => r.affected.ecosystem === ecosystem && r.affected.distro === distro && names.includes(r.affected.package)),
    kevSet: () => new Set(),
  };
}

describe('CycloneDX input: cavas\' own BOM', () => {
  const result = richResult();
  const input = parseSbom(cyclonedxReporter.render(result, { color: false }), 'sbom:bom.json');

  it('gives back every package as the scan listed it', () => {
    assert.deepEqual(input.inventory.packages, result.inventory.packages);
    assert.deepEqual(input.warnings, []);
  });

  it('gives back the OS from cavas\' properties, codename and ID_LIKE included', () => {
    assert.deepEqual(input.inventory.os, result.inventory.os);
  });

  it('keeps what the BOM says of the image: tags, digests, platform, the layers packages came from', () => {
    const { image } = input;
    assert.equal(image.ref, 'sbom:bom.json');
    assert.equal(image.transport, 'sbom');
    assert.deepEqual(image.tags, ['legacy-app:1.4']);
    assert.equal(image.configDigest, result.image.configDigest);
    assert.equal(image.manifestDigest, result.image.manifestDigest);
    assert.deepEqual(image.platform, { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(
      image.layers,
      result.image.layers.map((l) => ({ index: l.index, digest: '', diffId: l.diffId, size: 0 })),
    );
    assert.deepEqual(image.config, {});
    assert.equal(image.history, undefined);
  });

  it('an untagged image named by its ref has no tags', () => {
    const r = richResult();
    r.image.tags = [];
    assert.deepEqual(parseSbom(cyclonedxReporter.render(r, { color: false }), 'sbom:x').image.tags, []);
  });

  it('a language package an OS package installed stays unmatched, as in the image scan', () => {
    const snakeyaml: AdvisoryRecord = {
      id: 'GHSA-mjmj-j48q-9wg2',
      source: 'osv',
      aliases: ['CVE-2022-1471'],
      affected: { ecosystem: 'maven', distro: '', package: 'org.yaml:snakeyaml', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] },
    };
    const findings = matchInventory(input.inventory, lookup([snakeyaml]), []);
    assert.deepEqual(findings.map((f) => [f.id, f.layer]), [['CVE-2022-1471', 2]]);
  });
});

describe('CycloneDX input: Trivy style', () => {
  const input = parseSbom(fixtureText('trivy-alpine.cdx.json'), 'sbom:trivy.json');

  it('takes the OS from the operating-system component', () => {
    assert.deepEqual(input.inventory.os, { id: 'alpine', version: '3.16.9' });
  });

  it('reads source packages, licenses and layers from Trivy\'s properties', () => {
    const ssl = input.inventory.packages.find((p) => p.name === 'ssl_client');
    assert.deepEqual(ssl, {
      ecosystem: 'apk',
      name: 'ssl_client',
      version: '1.35.0-r17',
      arch: 'x86_64',
      source: { name: 'busybox', version: '1.35.0-r17' },
      license: 'GPL-2.0-only',
      purl: 'pkg:apk/alpine/ssl_client@1.35.0-r17?arch=x86_64&distro=3.16.9',
      layer: 0,
      paths: [],
    });
    assert.deepEqual(input.image.layers, [{ index: 0, digest: '', diffId: D1, size: 0 }]);
  });

  it('reads the image id, repo digest and tags', () => {
    assert.deepEqual(input.image.tags, ['alpine:3.16.9']);
    assert.equal(input.image.configDigest, `sha256:${'a'.repeat(64)}`);
    assert.equal(input.image.manifestDigest, `sha256:${'b'.repeat(64)}`);
    assert.equal(input.image.platform.architecture, 'amd64');
  });

  it('Alpine advisories about an origin reach its subpackages', () => {
    const busybox: AdvisoryRecord = { id: 'CVE-2023-42366', source: 'alpine-secdb', aliases: [], affected: { ecosystem: 'apk', distro: 'alpine:v3.16', package: 'busybox', status: 'fixed', fixedVersion: '1.35.0-r18' } };
    const findings = matchInventory(input.inventory, lookup([busybox]), []);
    assert.deepEqual(findings.map((f) => [f.package.name, f.fixedVersion]), [['busybox', '1.35.0-r18'], ['ssl_client', '1.35.0-r18']]);
  });
});

describe('CycloneDX input: Syft style', () => {
  const input = parseSbom(fixtureText('syft-debian.cdx.json'), 'sbom:syft.json');
  const byName = new Map(input.inventory.packages.map((p) => [p.name, p]));

  it('without an operating-system component, the OS comes from the distro qualifiers', () => {
    assert.deepEqual(input.inventory.os, { id: 'debian', version: '12' });
  });

  it('reads Debian source packages from the upstream qualifier and files from Syft locations', () => {
    assert.deepEqual(byName.get('libssl3')?.source, { name: 'openssl', version: '3.0.20-1~deb12u2' });
    assert.deepEqual(byName.get('zlib1g')?.source, { name: 'zlib', version: '1:1.2.13.dfsg-1' });
    assert.equal(byName.get('zlib1g')?.version, '1:1.2.13.dfsg-1');
    assert.equal(byName.get('openssl')?.source, undefined);
    assert.deepEqual(byName.get('lodash')?.paths, ['app/node_modules/lodash/package.json']);
  });

  it('reads nested components, and names language packages as cavas does', () => {
    assert.deepEqual(
      input.inventory.packages.filter((p) => p.ecosystem !== 'deb').map((p) => [p.ecosystem, p.name, p.version]),
      [
        ['npm', 'lodash', '4.17.15'],
        ['npm', '@babel/core', '7.22.0'],
        ['go', 'github.com/gin-gonic/gin', '1.9.0'],
        ['maven', 'org.yaml:snakeyaml', '1.33'],
        ['pypi', 'PyYAML', '6.0'],
      ],
    );
  });

  it('counts what it skips: libraries without a purl or of other ecosystems; files are not packages', () => {
    assert.deepEqual(input.warnings, [
      '1 CycloneDX component(s) skipped: purl type "generic" is not an ecosystem cavas matches',
      '1 CycloneDX component(s) skipped: no purl',
    ]);
  });

  it('an image with no tags of its own is named by the container component', () => {
    assert.deepEqual(input.image.tags, ['debian-app']);
    assert.equal(input.image.configDigest, `sha256:${'a'.repeat(64)}`);
    assert.deepEqual(input.image.layers, []);
  });
});

describe('CycloneDX input: other versions and empty documents', () => {
  it('reads 1.3 as the later versions, with a warning', () => {
    const doc = JSON.parse(fixtureText('trivy-alpine.cdx.json')) as { specVersion: string };
    doc.specVersion = '1.3';
    const input = parseSbom(JSON.stringify(doc), 'sbom:x');
    assert.equal(input.inventory.packages.length, 5);
    assert.deepEqual(input.warnings, ['CycloneDX specVersion 1.3: cavas reads 1.4 to 1.6 and read this one the same way']);
  });

  it('a BOM without components has no packages and says so', () => {
    const input = parseSbom('{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}', 'sbom:x');
    assert.deepEqual(input.inventory, { packages: [] });
    assert.deepEqual(input.image.tags, []);
    assert.equal(input.image.configDigest, '');
    assert.match(input.warnings.join('\n'), /lists no package with a purl/);
  });

  it('OS packages with no OS named anywhere get a warning of their own', () => {
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'library', purl: 'pkg:deb/debian/libc6@2.36-9' }] };
    const input = parseSbom(JSON.stringify(doc), 'sbom:x');
    assert.equal(input.inventory.os, undefined);
    assert.deepEqual(input.warnings, ['the SBOM names no operating system (no operating-system component, no distro qualifier on its purls): its 1 OS package(s) cannot be matched']);
  });

  it('ignores fields of the wrong type instead of failing', () => {
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: 'x' }, components: [{ type: 'library', purl: 7 }, null, 'x', { purl: 'pkg:npm/a@1', properties: 'bad', licenses: [null] }] };
    const input = parseSbom(JSON.stringify(doc), 'sbom:x');
    assert.deepEqual(input.inventory.packages.map((p) => p.purl), ['pkg:npm/a@1']);
  });
});
