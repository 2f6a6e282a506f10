import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spdxReporter } from '../../src/report/spdx.js';
import { parseSbom } from '../../src/sbom/read.js';
import type { Package } from '../../src/types.js';
import { fixtureText, richResult } from './fixtures.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('SPDX input: cavas\' own document', () => {
  const result = richResult();
  const input = parseSbom(spdxReporter.render(result, { color: false }), 'sbom:doc.spdx.json');

  it('gives back every package; SPDX has no word for "not a development dependency"', () => {
    const expected = result.inventory.packages.map((p): Package => {
      const q = { ...p };
      if (q.dev === false) delete q.dev;
      return q;
    });
    assert.deepEqual(input.inventory.packages, expected);
    assert.deepEqual(input.warnings, []);
  });

  it('gives back the OS package: id, version and pretty name', () => {
    assert.deepEqual(input.inventory.os, { id: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  });

  it('keeps the image facts the document holds', () => {
    const { image } = input;
    assert.deepEqual(image.tags, ['legacy-app:1.4']);
    assert.equal(image.configDigest, result.image.configDigest);
    assert.equal(image.manifestDigest, result.image.manifestDigest);
    assert.deepEqual(image.platform, { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(image.layers.map((l) => [l.index, l.diffId]), result.image.layers.map((l) => [l.index, l.diffId]));
  });

  it('a free-text license comes back as its text, not as the LicenseRef standing in for it', () => {
    const r = richResult();
    r.inventory.packages[0]!.license = 'GPL-2+ with some exception text';
    const again = parseSbom(spdxReporter.render(r, { color: false }), 'sbom:x');
    assert.equal(again.inventory.packages[0]!.license, 'GPL-2+ with some exception text');
  });
});

describe('SPDX input: Trivy style', () => {
  const input = parseSbom(fixtureText('trivy-alpine.spdx.json'), 'sbom:trivy.spdx.json');

  it('takes the OS from the OPERATING-SYSTEM package and origins from sourceInfo', () => {
    assert.deepEqual(input.inventory.os, { id: 'alpine', version: '3.16.9' });
    assert.deepEqual(
      input.inventory.packages.map((p) => [p.name, p.source?.name, p.layer]),
      [
        ['busybox', 'busybox', 0],
        ['ssl_client', 'busybox', 1],
        ['libc-utils', 'libc-dev', 0],
      ],
    );
    assert.deepEqual(input.warnings, []);
  });

  it('reads the image from the container package and its annotations', () => {
    assert.deepEqual(input.image.tags, ['alpine:3.16.9']);
    assert.equal(input.image.configDigest, `sha256:${'a'.repeat(64)}`);
    assert.equal(input.image.manifestDigest, `sha256:${'b'.repeat(64)}`);
    assert.deepEqual(input.image.layers.map((l) => [l.index, l.diffId]), [[0, D1], [1, D2]]);
  });
});

describe('SPDX input: Syft style', () => {
  const input = parseSbom(fixtureText('syft-debian.spdx.json'), 'sbom:syft.spdx.json');
  const byName = new Map(input.inventory.packages.map((p) => [p.name, p]));

  it('without an OPERATING-SYSTEM package, the OS comes from the distro qualifiers', () => {
    assert.deepEqual(input.inventory.os, { id: 'debian', version: '12' });
  });

  it('reads purls under either spelling of PACKAGE-MANAGER, and upstream source packages', () => {
    assert.deepEqual([...byName.keys()], ['libssl3', 'openssl', 'zlib1g', 'libgcc-s1', 'lodash', 'axios']);
    assert.deepEqual(byName.get('libgcc-s1')?.source, { name: 'gcc-12', version: '12.2.0-14+deb12u1' });
    assert.equal(byName.get('lodash')?.license, 'MIT');
    // Syft's comment-free packages say nothing of layers
    assert.equal(byName.get('libssl3')?.layer, 0);
  });

  it('counts packages without a purl', () => {
    assert.deepEqual(input.warnings, ['1 SPDX package(s) skipped: no purl']);
  });

  it('the described CONTAINER is the image', () => {
    assert.deepEqual(input.image.tags, ['debian-app']);
    assert.equal(input.image.configDigest, `sha256:${'a'.repeat(64)}`);
    assert.equal(input.image.manifestDigest, `sha256:${'b'.repeat(64)}`);
  });
});

describe('SPDX input: relationships and versions', () => {
  const purlRef = (purl: string) => [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }];
  const doc = {
    spdxVersion: 'SPDX-2.2',
    SPDXID: 'SPDXRef-DOCUMENT',
    documentDescribes: ['SPDXRef-img'],
    packages: [
      { SPDXID: 'SPDXRef-img', name: 'img', primaryPackagePurpose: 'CONTAINER' },
      { SPDXID: 'SPDXRef-deb', name: 'libyaml-snake-java', versionInfo: '1.33-2', externalRefs: purlRef('pkg:deb/debian/libyaml-snake-java@1.33-2?distro=debian-12') },
      { SPDXID: 'SPDXRef-jar', name: 'snakeyaml', versionInfo: '1.33', externalRefs: purlRef('pkg:maven/org.yaml/snakeyaml@1.33') },
    ],
    relationships: [{ spdxElementId: 'SPDXRef-deb', relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-jar' }],
  };
  const input = parseSbom(JSON.stringify(doc), 'sbom:x');

  it('a language package an OS package CONTAINS is owned by it', () => {
    assert.equal(input.inventory.packages.find((p) => p.ecosystem === 'maven')?.ownedBy, 'libyaml-snake-java');
    assert.equal(input.inventory.packages.find((p) => p.ecosystem === 'deb')?.ownedBy, undefined);
  });

  it('reads SPDX 2.2 the same way, with a warning; documentDescribes names the image', () => {
    assert.deepEqual(input.warnings, ['SPDX-2.2: cavas reads SPDX-2.3 and read this one the same way']);
    assert.deepEqual(input.image.tags, ['img']);
  });
});
