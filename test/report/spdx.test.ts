import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { spdxExpression } from '../../src/report/license.js';
import { buildSpdx, spdxReporter, type SpdxDocument } from '../../src/report/spdx.js';
import type { ScanResult } from '../../src/types.js';
import { cavas, corpusCache, IMAGES, scanJson } from '../e2e/cli.js';
import { PURL, sampleResult } from './fixtures/sample-result.js';

/**
 * The official SPDX 2.3 JSON schema (spdx/spdx-spec schemas/spdx-schema.json, draft 2019-09).
 * No npm package ships it, so it is vendored as a fixture (CAVAS_SPDX_SCHEMA overrides the path).
 * A missing schema is a failure, not a skip: schema validity is a requirement of the SPDX output.
 * Strict mode compiles it too, so a replaced fixture ajv only half understands fails loudly.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const schemaPath = process.env.CAVAS_SPDX_SCHEMA ?? join(root, 'test', 'report', 'fixtures', 'spdx-schema-2.3.json');
const schema = existsSync(schemaPath) ? (JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>) : undefined;
const validateSchema = schema ? new Ajv2019({ allErrors: true, strict: true }).compile(schema) : undefined;

const SPDXID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function render(r: ScanResult = sampleResult()): SpdxDocument {
  return JSON.parse(spdxReporter.render(r, { color: false })) as SpdxDocument;
}

function assertSchemaValid(text: string): void {
  assert.ok(validateSchema, `no SPDX 2.3 schema at ${schemaPath}: see test/report/fixtures/README`);
  const ok = validateSchema(JSON.parse(text));
  assert.ok(ok, JSON.stringify(validateSchema.errors, null, 2));
}

/** Rules the schema does not state: unique ids, resolvable references, valid license fields. */
function assertConsistent(doc: SpdxDocument, result: ScanResult): void {
  const ids = doc.packages.map((p) => p.SPDXID);
  assert.equal(new Set(ids).size, ids.length, 'SPDXIDs are unique');
  for (const id of ids) assert.match(id, SPDXID);
  assert.match(doc.creationInfo.created, DATE);
  const known = new Set([doc.SPDXID, ...ids]);
  for (const r of doc.relationships) {
    assert.ok(known.has(r.spdxElementId), `unknown ${r.spdxElementId}`);
    assert.ok(known.has(r.relatedSpdxElement), `unknown ${r.relatedSpdxElement}`);
  }
  assert.deepEqual(
    doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES'),
    [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' }],
  );
  const contained = new Set(doc.relationships.filter((r) => r.spdxElementId === 'SPDXRef-Image').map((r) => r.relatedSpdxElement));
  for (const id of ids) if (id !== 'SPDXRef-Image') assert.ok(contained.has(id), `image contains ${id}`);

  const inventory = result.inventory.packages;
  assert.equal(doc.packages.length, inventory.length + 1 + (result.inventory.os ? 1 : 0));
  const refs = new Set((doc.hasExtractedLicensingInfos ?? []).map((l) => l.licenseId));
  const own = doc.packages.slice(doc.packages.length - inventory.length);
  inventory.forEach((pkg, i) => {
    const p = own[i];
    assert.ok(p);
    assert.deepEqual([p.name, p.versionInfo], [pkg.name, pkg.version]);
    assert.deepEqual(p.externalRefs, [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }]);
    const declared = p.licenseDeclared;
    if (declared.startsWith('LicenseRef-')) assert.ok(refs.has(declared), `${declared} is defined`);
    else if (declared !== 'NOASSERTION') assert.equal(spdxExpression(declared), declared);
  });
}

describe('spdx reporter', () => {
  const result = sampleResult();
  const doc = render(result);

  test('document header: SPDX 2.3, CC0, named after the image ref, created at the scan time to the second', () => {
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.dataLicense, 'CC0-1.0');
    assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
    assert.equal(doc.name, 'docker-archive:legacy-app.docker.tar.gz');
    assert.deepEqual(doc.creationInfo, { created: '2023-11-02T09:15:27Z', creators: ['Tool: cavas-0.1.0'] });
    assert.match(doc.documentNamespace, /^urn:cavas:spdx:4c7abcf1d013b31418932c6e594e9bbb57d5bec1199c642b6a577e27b3ef2cab:[0-9a-f]{32}$/);
  });

  test('output is reproducible, and the namespace changes with the content', () => {
    const text = spdxReporter.render(sampleResult(), { color: false });
    assert.equal(spdxReporter.render(sampleResult(), { color: false }), text);
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "spdxVersion"'));
    const other = sampleResult();
    other.inventory.packages.pop();
    assert.notEqual(render(other).documentNamespace, doc.documentNamespace);
  });

  test('the image is a CONTAINER package with the config digest as checksum and a pkg:oci purl', () => {
    const image = doc.packages[0];
    assert.ok(image);
    assert.equal(image.SPDXID, 'SPDXRef-Image');
    assert.equal(image.name, 'legacy-app:1.4');
    assert.equal(image.primaryPackagePurpose, 'CONTAINER');
    assert.deepEqual(image.checksums, [
      { algorithm: 'SHA256', checksumValue: '4c7abcf1d013b31418932c6e594e9bbb57d5bec1199c642b6a577e27b3ef2cab' },
    ]);
    assert.deepEqual(image.externalRefs, [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator:
          'pkg:oci/legacy-app@sha256:339e7f0d43eb3443682ed3f730dbbc9c043d390a74883f0c396b07aa8c665ae6?arch=amd64&tag=1.4',
      },
    ]);
  });

  test('the OS is an OPERATING-SYSTEM package the image contains', () => {
    const os = doc.packages[1];
    assert.deepEqual([os?.SPDXID, os?.name, os?.versionInfo, os?.primaryPackagePurpose], ['SPDXRef-OperatingSystem', 'debian', '12', 'OPERATING-SYSTEM']);
    assert.ok(doc.relationships.some((r) => r.spdxElementId === 'SPDXRef-Image' && r.relatedSpdxElement === 'SPDXRef-OperatingSystem'));
    const noOs = sampleResult();
    delete noOs.inventory.os;
    assert.equal(render(noOs).packages.length, 5);
  });

  test('packages carry purl, layer, declaring path and source package', () => {
    const libssl3 = doc.packages.find((p) => p.name === 'libssl3');
    assert.ok(libssl3);
    assert.match(libssl3.SPDXID, /^SPDXRef-Package-deb-libssl3-[0-9a-f]{8}$/);
    assert.equal(libssl3.downloadLocation, 'NOASSERTION');
    assert.equal(libssl3.licenseConcluded, 'NOASSERTION');
    assert.equal(libssl3.licenseDeclared, 'Apache-2.0');
    assert.equal(libssl3.sourceInfo, 'built from source package openssl 3.0.11-1~deb12u1');
    assert.equal(
      libssl3.comment,
      'layer 1 (sha256:9628cc0a485aa4d5a269790f5fa5c7a075533f8798ac392b4e6f396a1adadb85); declared in /var/lib/dpkg/status',
    );
    assert.equal(libssl3.externalRefs?.[0]?.referenceLocator, PURL.libssl3);
  });

  test('a license that is not an SPDX expression becomes a LicenseRef with the text extracted', () => {
    // LGPL-2.1+ is a deprecated id but still on the SPDX list; Debian's GPL-2+ is not.
    assert.equal(doc.packages.find((p) => p.name === 'libc6')?.licenseDeclared, 'LGPL-2.1+');
    assert.equal(doc.hasExtractedLicensingInfos, undefined);
    const debian = sampleResult();
    const zlib = debian.inventory.packages[3];
    assert.ok(zlib);
    zlib.license = 'GPL-2+';
    const d = render(debian);
    const declared = d.packages.find((p) => p.name === 'zlib1g')?.licenseDeclared;
    assert.match(declared ?? '', /^LicenseRef-GPL-2plus-[0-9a-f]{8}$/);
    assert.deepEqual(d.hasExtractedLicensingInfos?.map((l) => [l.licenseId, l.extractedText]), [[declared, 'GPL-2+']]);
    assertSchemaValid(JSON.stringify(d));
    const r = sampleResult();
    for (const p of r.inventory.packages) p.license = 'MIT';
    assert.equal(render(r).hasExtractedLicensingInfos, undefined);
  });

  test('the same purl twice gets two distinct SPDXIDs; odd names are sanitized', () => {
    const r = sampleResult();
    const libc6 = r.inventory.packages[0];
    assert.ok(libc6);
    r.inventory.packages.push({ ...libc6, layer: 2, paths: ['/app/var/lib/dpkg/status'] });
    r.inventory.packages.push({ ...libc6, ecosystem: 'npm', name: '@scope/pkg_name', purl: 'pkg:npm/%40scope/pkg_name@1.0.0' });
    const d = render(r);
    const ids = d.packages.map((p) => p.SPDXID);
    const twins = ids.filter((id) => id.startsWith('SPDXRef-Package-deb-libc6-'));
    assert.equal(twins.length, 2);
    assert.equal(twins[1], `${twins[0]}-2`);
    assert.ok(ids.some((id) => /^SPDXRef-Package-npm-scope-pkg-name-[0-9a-f]{8}$/.test(id)));
    assertConsistent(d, r);
    assertSchemaValid(JSON.stringify(d));
  });

  test('a language package inside an OS package is contained by it', () => {
    const r = sampleResult();
    r.inventory.packages.push({
      ecosystem: 'maven',
      name: 'org.yaml:snakeyaml',
      version: '1.33',
      purl: 'pkg:maven/org.yaml/snakeyaml@1.33',
      layer: 1,
      paths: ['/usr/share/java/snakeyaml.jar'],
      ownedBy: 'openssl',
    });
    const d = buildSpdx(r);
    const openssl = d.packages.find((p) => p.name === 'openssl')?.SPDXID;
    const snake = d.packages.find((p) => p.name === 'org.yaml:snakeyaml')?.SPDXID;
    assert.ok(openssl && snake);
    assert.ok(d.relationships.some((x) => x.spdxElementId === openssl && x.relationshipType === 'CONTAINS' && x.relatedSpdxElement === snake));
    assertConsistent(d, r);
    assertSchemaValid(JSON.stringify(d));
  });

  test('no pkg:oci purl without a manifest digest or repository name; dir: images still render', () => {
    const r = sampleResult();
    r.image = { ...r.image, ref: 'dir:/srv/rootfs', transport: 'dir', tags: [], configDigest: '' };
    delete r.image.manifestDigest;
    const d = render(r);
    const image = d.packages[0];
    assert.deepEqual([image?.name, image?.versionInfo, image?.checksums, image?.externalRefs], ['dir:/srv/rootfs', undefined, undefined, undefined]);
    assert.match(d.documentNamespace, /^urn:cavas:spdx:no-config:[0-9a-f]{32}$/);
    assertSchemaValid(JSON.stringify(d));
    const bareTag = sampleResult();
    bareTag.image.tags = ['3.16.9'];
    assert.equal(render(bareTag).packages[0]?.externalRefs, undefined);
  });

  test('relationships and package count are consistent', () => {
    assertConsistent(doc, result);
  });

  test('the schema fixture is the official SPDX 2.3 JSON schema (draft 2019-09)', () => {
    assert.ok(schema, `no SPDX 2.3 schema at ${schemaPath}: see test/report/fixtures/README`);
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2019-09/schema');
    assert.equal(schema.$id, 'http://spdx.org/rdf/terms/2.3');
  });

  test('validates against the official SPDX 2.3 JSON schema', () => {
    assertSchemaValid(spdxReporter.render(sampleResult(), { color: false }));
  });

  test('the schema check catches an invalid document', () => {
    const bad = render();
    (bad.packages[0] as { SPDXID: string }).SPDXID = 'SPDXRef-bad id';
    assert.ok(validateSchema, `no SPDX 2.3 schema at ${schemaPath}: see test/report/fixtures/README`);
    assert.equal(validateSchema(bad), false);
    assert.ok(validateSchema.errors?.some((e) => e.instancePath === '/packages/0/SPDXID' && e.keyword === 'pattern'));
  });
});

describe('spdx license expressions', () => {
  test('valid expressions are kept, ids in canonical case', () => {
    assert.equal(spdxExpression('mit'), 'MIT');
    assert.equal(spdxExpression('MPL-2.0 AND MIT'), 'MPL-2.0 AND MIT');
    assert.equal(spdxExpression('(mit OR apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0'), '(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0');
    assert.equal(spdxExpression('GPL-2.0+'), 'GPL-2.0+');
    assert.equal(spdxExpression('LicenseRef-Proprietary OR MIT'), 'LicenseRef-Proprietary OR MIT');
  });

  test('anything else is not an expression', () => {
    for (const text of ['', 'GPL-2+', 'MIT BSD GPL2+', 'MIT and BSD-3-Clause', '(MIT', 'MIT)', 'MIT OR', 'MIT WITH', 'Foo-License', 'LicenseRef-a_b']) {
      assert.equal(spdxExpression(text), undefined, text);
    }
  });
});

describe('spdx reporter on the corpus', () => {
  let cache: { dir: string; cleanup: () => void } | undefined;
  before(() => {
    cache = corpusCache();
  });
  after(() => cache?.cleanup());

  // Every image archive in the corpus, so a recreated OCI archive (see the corpus README) is covered too.
  const images = existsSync(IMAGES) ? readdirSync(IMAGES).filter((f) => /\.(oci\.tar|docker\.tar\.gz)$/.test(f)).sort() : [];

  test('the corpus holds every stored image', () => {
    for (const file of [
      'alpine-3.16.9.docker.tar.gz',
      'alpine-3.16.9.oci.tar',
      'alpine-3.16.9-multiarch.oci.tar',
      'debian-base.docker.tar.gz',
      'debian-app.docker.tar.gz',
      'debian-distroless.docker.tar.gz',
      'debian-distroless.oci.tar',
    ]) {
      assert.ok(images.includes(file), `${file} in ${IMAGES}`);
    }
  });

  for (const file of images) {
    test(`${file}: a consistent, schema-valid document from scan and from cavas sbom`, () => {
      assert.ok(cache);
      const result = scanJson(cache.dir, join(IMAGES, file), ['--scanners', 'vuln']);
      assert.ok(result.inventory.packages.length > 0);
      const text = spdxReporter.render(result, { color: false });
      assert.equal(spdxReporter.render(result, { color: false }), text);
      const doc = JSON.parse(text) as SpdxDocument;
      assertConsistent(doc, result);
      assertSchemaValid(text);

      const sbom = cavas(['--cache-dir', cache.dir, 'sbom', join(IMAGES, file), '-f', 'spdx']);
      assert.equal(sbom.status, 0, sbom.stderr);
      assertSchemaValid(sbom.stdout);
    });
  }
});
