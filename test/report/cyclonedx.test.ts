import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Models, Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { advisorySource } from '../../src/report/advisory-source.js';
import { cyclonedxReporter, ratingMethod, toLicense } from '../../src/report/cyclonedx.js';
import type { ScanResult } from '../../src/types.js';
import { PURL, sampleResult } from './fixtures/sample-result.js';

interface Prop {
  name: string;
  value: string;
}
interface CdxComponent {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  'bom-ref'?: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: Prop[];
}
interface CdxVuln {
  'bom-ref'?: string;
  id: string;
  source?: { name?: string; url?: string };
  references?: Array<{ id: string; source: { name?: string; url?: string } }>;
  ratings?: Array<{ score?: number; severity?: string; method?: string; vector?: string; source?: { name?: string } }>;
  description?: string;
  recommendation?: string;
  affects?: Array<{ ref: string; versions?: Array<{ version: string; status: string }> }>;
  properties?: Prop[];
}
interface CdxBom {
  bomFormat: string;
  specVersion: string;
  serialNumber: string;
  version: number;
  metadata: {
    timestamp: string;
    tools: { components: CdxComponent[] };
    component: CdxComponent;
  };
  components?: CdxComponent[];
  dependencies?: Array<{ ref: string; dependsOn?: string[] }>;
  vulnerabilities: CdxVuln[];
}

function render(r: ScanResult = sampleResult()): CdxBom {
  return JSON.parse(cyclonedxReporter.render(r, { color: false })) as CdxBom;
}

function props(x: { properties?: Prop[] }, name: string): string[] {
  return (x.properties ?? []).filter((p) => p.name === name).map((p) => p.value);
}

function vuln(bom: CdxBom, id: string): CdxVuln {
  const v = bom.vulnerabilities.find((x) => x.id === id);
  assert.ok(v, `no vulnerability ${id}`);
  return v;
}

describe('cyclonedx reporter', () => {
  const bom = render();

  test('is a CycloneDX 1.6 JSON BOM with a fresh serial number and the scan time', () => {
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.version, 1);
    assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(render().serialNumber, bom.serialNumber);
    assert.equal(bom.metadata.timestamp, '2023-11-02T09:15:27.000Z');
  });

  test('names cavas as the tool', () => {
    assert.deepEqual(bom.metadata.tools.components, [{ type: 'application', name: 'cavas', version: '0.1.0' }]);
  });

  test('the image is the subject: a container named by its tag, versioned by its config digest', () => {
    const c = bom.metadata.component;
    assert.equal(c.type, 'container');
    assert.equal(c.name, 'legacy-app:1.4');
    assert.equal(c.version, 'sha256:4c7abcf1d013b31418932c6e594e9bbb57d5bec1199c642b6a577e27b3ef2cab');
    assert.equal(
      c.purl,
      'pkg:oci/legacy-app@sha256:339e7f0d43eb3443682ed3f730dbbc9c043d390a74883f0c396b07aa8c665ae6?arch=amd64&tag=1.4',
    );
    assert.equal(c['bom-ref'], c.purl);
    assert.deepEqual(props(c, 'cavas:os'), ['Debian GNU/Linux 12 (bookworm)']);
    assert.deepEqual(props(c, 'cavas:image-ref'), ['docker-archive:legacy-app.docker.tar.gz']);
  });

  test('every package is a library component with its purl as bom-ref', () => {
    assert.equal((bom.components ?? []).length, 4);
    assert.deepEqual(
      (bom.components ?? []).map((c) => [c.type, c.name, c.version, c.purl, c['bom-ref']]),
      [
        ['library', 'libc6', '2.36-9+deb12u1', PURL.libc6, PURL.libc6],
        ['library', 'libssl3', '3.0.11-1~deb12u1', PURL.libssl3, PURL.libssl3],
        ['library', 'openssl', '3.0.11-1~deb12u1', PURL.openssl, PURL.openssl],
        ['library', 'zlib1g', '1:1.2.13.dfsg-1', PURL.zlib1g, PURL.zlib1g],
      ],
    );
  });

  test('components carry layer, source package and license', () => {
    const libssl3 = (bom.components ?? []).find((c) => c.name === 'libssl3');
    const openssl = (bom.components ?? []).find((c) => c.name === 'openssl');
    assert.ok(libssl3 && openssl);
    assert.deepEqual(props(libssl3, 'cavas:layer'), ['1']);
    assert.deepEqual(props(libssl3, 'cavas:layer-diff-id'), ['sha256:9628cc0a485aa4d5a269790f5fa5c7a075533f8798ac392b4e6f396a1adadb85']);
    assert.deepEqual(props(libssl3, 'cavas:source-package'), ['openssl']);
    assert.deepEqual(props(libssl3, 'cavas:source-package-version'), ['3.0.11-1~deb12u1']);
    assert.deepEqual(props(openssl, 'cavas:source-package'), []);
    assert.deepEqual(libssl3.licenses, [{ license: { id: 'Apache-2.0' } }]);
  });

  test('the image depends on every package; packages get no empty dependency entries', () => {
    assert.deepEqual(bom.dependencies, [{ ref: bom.metadata.component['bom-ref'], dependsOn: Object.values(PURL) }]);
  });

  test('one vulnerability per id, worst first', () => {
    assert.deepEqual(
      bom.vulnerabilities.map((v) => [v['bom-ref'], v.id]),
      [
        ['CVE-2023-45853', 'CVE-2023-45853'],
        ['CVE-2023-4911', 'CVE-2023-4911'],
        ['CVE-2024-6119', 'CVE-2024-6119'],
      ],
    );
  });

  test('a vulnerability in two packages has one affect per package', () => {
    const v = vuln(bom, 'CVE-2024-6119');
    const fixedRange = (installed: string) => [
      { version: installed, status: 'affected' },
      { version: '3.0.14-1~deb12u2', status: 'unaffected' },
    ];
    assert.deepEqual(v.affects, [
      { ref: PURL.libssl3, versions: fixedRange('3.0.11-1~deb12u1') },
      { ref: PURL.openssl, versions: fixedRange('3.0.11-1~deb12u1') },
    ]);
    assert.equal(v.recommendation, 'Upgrade libssl3 and openssl to 3.0.14-1~deb12u2.');
    assert.deepEqual(props(v, 'cavas:fixed-version'), ['libssl3=3.0.14-1~deb12u2', 'openssl=3.0.14-1~deb12u2']);
    assert.equal(v.description, 'openssl: possible denial of service in X.509 name checks');
  });

  test('source and references name who publishes each id', () => {
    const v = vuln(bom, 'CVE-2023-4911');
    assert.deepEqual(v.source, { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4911' });
    assert.deepEqual(v.references, [
      { id: 'DEBIAN-CVE-2023-4911', source: { name: 'Debian', url: 'https://security-tracker.debian.org/tracker/CVE-2023-4911' } },
      { id: 'DSA-5514-1', source: { name: 'Debian', url: 'https://security-tracker.debian.org/tracker/DSA-5514-1' } },
    ]);
  });

  test('ratings: a CVSS-derived severity is one rating', () => {
    assert.deepEqual(vuln(bom, 'CVE-2023-4911').ratings, [
      { score: 7.8, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' },
    ]);
  });

  test('ratings: a distribution urgency stays apart from the CVSS score it disagrees with', () => {
    assert.deepEqual(vuln(bom, 'CVE-2024-6119').ratings, [
      { score: 7.5, method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
      { source: { name: 'Debian' }, severity: 'medium', method: 'other' },
    ]);
  });

  test('ratings: an UNKNOWN severity is kept only when nothing better is known', () => {
    const r = sampleResult();
    const libssl3 = r.findings.find((f) => f.package.name === 'libssl3');
    assert.ok(libssl3);
    delete libssl3.cvss;
    delete libssl3.severitySource;
    libssl3.severity = 'UNKNOWN';
    assert.deepEqual(
      vuln(render(r), 'CVE-2024-6119').ratings?.map((x) => x.severity),
      [undefined, 'medium'],
    );
    for (const f of r.findings) {
      delete f.cvss;
      delete f.severitySource;
      f.severity = 'UNKNOWN';
    }
    assert.deepEqual(vuln(render(r), 'CVE-2024-6119').ratings, [{ severity: 'unknown', method: 'other' }]);
  });

  test('KEV and unfixed findings are marked', () => {
    const kev = vuln(bom, 'CVE-2023-4911');
    assert.deepEqual(props(kev, 'cavas:kev'), ['true']);
    assert.equal(kev.recommendation, 'Upgrade libc6 to 2.36-9+deb12u3.');
    const unfixed = vuln(bom, 'CVE-2023-45853');
    assert.deepEqual(props(unfixed, 'cavas:kev'), []);
    assert.deepEqual(props(unfixed, 'cavas:fixed-version'), ['zlib1g=unfixed']);
    assert.equal(unfixed.recommendation, 'No fixed version of zlib1g is available yet.');
    assert.deepEqual(unfixed.affects, [{ ref: PURL.zlib1g, versions: [{ version: '1:1.2.13.dfsg-1', status: 'affected' }] }]);
  });

  test('a score missing from the finding is computed from the vector', () => {
    const r = sampleResult();
    for (const f of r.findings) if (f.cvss) delete f.cvss.score;
    assert.equal(vuln(render(r), 'CVE-2023-45853').ratings?.[0]?.score, 9.8);
  });

  test('a purl listed twice gets two components with distinct refs, both affected', () => {
    const r = sampleResult();
    const libc6 = r.inventory.packages[0];
    assert.ok(libc6);
    r.inventory.packages.push({ ...libc6, layer: 2, paths: ['/app/var/lib/dpkg/status'] });
    const doubled = render(r);
    const refs = (doubled.components ?? []).filter((c) => c.purl === PURL.libc6).map((c) => c['bom-ref']);
    assert.deepEqual(refs, [PURL.libc6, `${PURL.libc6}#2`]);
    assert.deepEqual(
      vuln(doubled, 'CVE-2023-4911').affects?.map((a) => a.ref),
      refs,
    );
  });

  test('an image without manifest digest, tags or config (dir:) still gets a stable subject', () => {
    const r = sampleResult();
    r.image = { ...r.image, ref: 'dir:/srv/rootfs', transport: 'dir', tags: [], configDigest: '' };
    delete r.image.manifestDigest;
    const c = render(r).metadata.component;
    assert.deepEqual([c.name, c.version, c.purl, c['bom-ref']], ['dir:/srv/rootfs', undefined, undefined, 'dir:/srv/rootfs']);
  });

  test('no findings: no vulnerabilities key; no packages: no dependency graph', () => {
    const r = sampleResult();
    r.findings = [];
    assert.equal(render(r).vulnerabilities, undefined);
    r.inventory.packages = [];
    const empty = render(r);
    assert.deepEqual(empty.components, []);
    assert.equal(empty.dependencies, undefined);
  });

  test('validates against the CycloneDX 1.6 JSON schema', async () => {
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    const error = await validator.validate(cyclonedxReporter.render(sampleResult(), { color: false }));
    assert.equal(error, null, JSON.stringify(error));
  });
});

describe('cyclonedx helpers', () => {
  test('rating method follows the vector prefix', () => {
    assert.equal(ratingMethod('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), 'CVSSv4');
    assert.equal(ratingMethod('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 'CVSSv31');
    assert.equal(ratingMethod('CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'), 'CVSSv3');
    assert.equal(ratingMethod('AV:N/AC:L/Au:N/C:P/I:P/A:P'), 'CVSSv2');
    assert.equal(ratingMethod('CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P'), 'CVSSv2');
    assert.equal(ratingMethod('AV:N/AC:L/PR:N'), 'other');
  });

  test('licenses: SPDX id, SPDX expression, or a name', () => {
    assert.equal(toLicense(''), undefined);
    assert.deepEqual(toLicense('mit'), toLicense('MIT'));
    assert.ok(toLicense('MIT') instanceof Models.SpdxLicense);
    const expression = toLicense('MIT AND (BSD-3-Clause OR GPL-2.0-or-later WITH Classpath-exception-2.0)');
    assert.ok(expression instanceof Models.LicenseExpression);
    // Debian's shorthand is not SPDX, nor is an expression with an unknown id.
    assert.ok(toLicense('GPL-2+') instanceof Models.NamedLicense);
    assert.ok(toLicense('MIT AND Foo-License') instanceof Models.NamedLicense);
  });

  test('advisory sources by id prefix', () => {
    assert.equal(advisorySource('CVE-2024-6387')?.name, 'NVD');
    assert.equal(advisorySource('DLA-3682-1')?.url, 'https://security-tracker.debian.org/tracker/DLA-3682-1');
    assert.equal(advisorySource('GHSA-jf85-cpcp-j695')?.url, 'https://github.com/advisories/GHSA-jf85-cpcp-j695');
    assert.equal(advisorySource('PYSEC-2021-59')?.url, 'https://osv.dev/vulnerability/PYSEC-2021-59');
    assert.equal(advisorySource('GO-2022-0969')?.name, 'OSV');
    assert.equal(advisorySource('ALPINE-13661'), undefined);
    assert.equal(advisorySource('CVE-2024-6387 '), undefined);
  });
});
