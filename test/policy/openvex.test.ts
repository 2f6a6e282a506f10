import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOpenVex } from '../../src/policy/openvex.js';
import { CavasError } from '../../src/util/errors.js';

const FILE = 'app.openvex.json';

function vexDoc(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/app-2026-11',
    author: 'Example Security Team',
    timestamp: '2026-11-01T09:00:00Z',
    version: 1,
    statements,
    ...extra,
  });
}

function badInput(text: string, pattern: RegExp): void {
  assert.throws(() => parseOpenVex(text, FILE), (e: unknown) => {
    assert.ok(e instanceof CavasError);
    assert.equal(e.code, 'BAD_INPUT');
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, /^app\.openvex\.json: /);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('parseOpenVex', () => {
  it('flattens a v0.2.0 statement: ids, products, subcomponents, texts, time', () => {
    const [s] = parseOpenVex(
      vexDoc([
        {
          vulnerability: { '@id': 'https://nvd.nist.gov/vuln/detail/CVE-2023-45853', name: 'CVE-2023-45853', aliases: ['DEBIAN-CVE-2023-45853'] },
          timestamp: '2026-11-02T10:00:00Z',
          products: [
            {
              '@id': 'pkg:oci/app@sha256%3A0123abcd?repository_url=registry.example.com/team/app',
              subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g' }, { '@id': 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*' }],
            },
            { '@id': 'urn:product:app', identifiers: { purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1' } },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          impact_statement: 'minizip is not built into the Debian zlib1g binary package',
        },
      ]),
      FILE,
    );
    assert.deepEqual(s, {
      vulnerabilityIds: ['CVE-2023-45853', 'https://nvd.nist.gov/vuln/detail/CVE-2023-45853', 'CVE-2023-45853', 'DEBIAN-CVE-2023-45853'],
      products: [
        { id: 'pkg:oci/app@sha256%3A0123abcd?repository_url=registry.example.com/team/app', purl: 'pkg:oci/app@sha256%3A0123abcd?repository_url=registry.example.com/team/app', subcomponents: ['pkg:deb/debian/zlib1g', ''] },
        { id: 'urn:product:app', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1', subcomponents: [] },
      ],
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      impactStatement: 'minizip is not built into the Debian zlib1g binary package',
      timestamp: Date.parse('2026-11-02T10:00:00Z'),
      source: FILE,
      index: 0,
    });
  });
  it('a statement without its own timestamp takes the document one', () => {
    const [s] = parseOpenVex(vexDoc([{ vulnerability: { name: 'CVE-2023-45853' }, products: [], status: 'affected', action_statement: 'upgrade' }]), FILE);
    assert.equal(s?.timestamp, Date.parse('2026-11-01T09:00:00Z'));
    assert.equal(s?.actionStatement, 'upgrade');
  });
  it('reads the v0.0.x string forms of vulnerability and products', () => {
    const [s] = parseOpenVex(
      JSON.stringify({ '@context': 'https://openvex.dev/ns', statements: [{ vulnerability: 'CVE-2023-45853', products: ['pkg:deb/debian/zlib1g'], status: 'fixed' }] }),
      FILE,
    );
    assert.deepEqual(s?.vulnerabilityIds, ['CVE-2023-45853']);
    assert.deepEqual(s?.products, [{ id: 'pkg:deb/debian/zlib1g', purl: 'pkg:deb/debian/zlib1g', subcomponents: [] }]);
  });
  it('an empty statements list is fine', () => {
    assert.deepEqual(parseOpenVex(vexDoc([]), FILE), []);
  });
});

describe('parseOpenVex: errors', () => {
  it('bad JSON is one line naming the file', () => {
    badInput('{"@context": "https://openvex.dev/ns/v0.2.0",\n "statements": [', /not valid JSON/);
  });
  it('not an OpenVEX document', () => {
    badInput('[]', /expected an OpenVEX document/);
    badInput(JSON.stringify({ bomFormat: 'CycloneDX', statements: [] }), /@context must be https:\/\/openvex\.dev\/ns\/v0\.2\.0/);
    badInput(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0' }), /statements must be a list/);
  });
  it('a bad statement names its index', () => {
    badInput(vexDoc([{ vulnerability: { name: 'CVE-1' }, products: [], status: 'fixed' }, { vulnerability: { name: 'CVE-2023-45853' }, products: [], status: 'not affected' }]), /statements\[1\] \(CVE-2023-45853\): status must be one of not_affected, affected, fixed, under_investigation/);
    badInput(vexDoc([{ products: [], status: 'fixed' }]), /statements\[0\]: vulnerability needs a name or @id/);
    badInput(vexDoc([{ vulnerability: { name: 'CVE-2023-45853' }, products: 'pkg:deb/debian/zlib1g', status: 'fixed' }]), /statements\[0\]: products must be a list/);
    badInput(vexDoc([7]), /statements\[0\]: expected an object/);
  });
});
