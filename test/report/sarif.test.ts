import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sarifReporter } from '../../src/report/sarif.js';
import type { ConfigFinding, MalwareFinding, ScanResult, SecretFinding } from '../../src/types.js';
import { PURL, sampleResult } from './fixtures/sample-result.js';
import { sarifErrors } from './fixtures/sarif-schema.js';

interface Loc {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
  logicalLocations?: Array<{ name: string; fullyQualifiedName?: string; kind?: string }>;
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Loc[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface Rule {
  id: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help: { text: string; markdown?: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { 'security-severity': string; tags: string[] };
}
interface Log {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Rule[] } };
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: Array<{ level: string; message: { text: string } }> }>;
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Result[];
    properties: Record<string, unknown>;
  }>;
}

const config = (over: Partial<ConfigFinding> = {}): ConfigFinding => ({
  kind: 'config',
  ruleId: 'config/root-user',
  severity: 'MEDIUM',
  title: 'Image runs as root',
  message: 'no USER is set: the container runs as root',
  remediation: 'Add a USER instruction.',
  references: ['CIS Docker 4.1'],
  field: 'config.User',
  ...over,
});

const secret: SecretFinding = {
  kind: 'secret',
  ruleId: 'secret/private-key',
  severity: 'CRITICAL',
  title: 'Private key',
  message: 'an RSA private key (-----BEGIN RSA PRIVATE KEY----- MIIE****)',
  remediation: 'Remove the key from the image and rotate it.',
  references: ['NIST SP 800-190 3.1.4'],
  path: 'root/.ssh/id_rsa',
  layer: 1,
  line: 1,
  removedInLayer: 2,
  match: 'MIIE****',
};

const malware: MalwareFinding = {
  kind: 'malware',
  ruleId: 'malware/eicar',
  severity: 'CRITICAL',
  title: 'EICAR test file',
  message: 'EICAR anti-virus test file',
  remediation: 'Delete the file.',
  references: [],
  path: 'app/data/my file#1.zip',
  layer: 2,
  signature: 'EICAR-Test-File',
  engine: 'eicar',
  member: 'eicar.com',
};

function withChecks(): ScanResult {
  const r: ScanResult = sampleResult();
  r.findings = [...r.findings, config({ severity: 'LOW', ruleId: 'config/no-healthcheck', field: 'config.Healthcheck', message: 'no HEALTHCHECK' }), config(), secret, malware];
  r.warnings = ['layer 2: something was skipped'];
  r.errors = ['clamd: connection refused'];
  return r;
}

function render(r: ScanResult): Log {
  const text = sarifReporter.render(r, { color: false });
  assert.ok(text.endsWith('}\n'));
  return JSON.parse(text) as Log;
}

function result(log: Log, ruleId: string): Result {
  const found = log.runs[0]!.results.filter((x) => x.ruleId === ruleId);
  assert.equal(found.length, 1, `results for ${ruleId}`);
  return found[0]!;
}

describe('sarif reporter', () => {
  const sample = render(sampleResult());
  const mixed = render(withChecks());
  const run = sample.runs[0]!;

  test('is valid against the SARIF 2.1.0 schema, with and without rule findings', () => {
    assert.deepEqual(sarifErrors(sample), []);
    assert.deepEqual(sarifErrors(mixed), []);
  });

  test('the schema check is real: a wrong level and a missing message are rejected', () => {
    const broken = structuredClone(sample);
    broken.runs[0]!.results[0]!.level = 'critical';
    delete (broken.runs[0]!.results[1] as Partial<Result>).message;
    const errors = sarifErrors(broken);
    assert.ok(errors.some((e) => e.startsWith('/runs/0/results/0/level')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('/runs/0/results/1') && e.includes('message')), errors.join('\n'));
  });

  test('one run by cavas at the scanning version; IMAGEROOT declared', () => {
    assert.equal(sample.version, '2.1.0');
    assert.equal(sample.runs.length, 1);
    assert.equal(run.tool.driver.name, 'cavas');
    assert.equal(run.tool.driver.version, '0.1.0');
    assert.deepEqual(Object.keys(run.originalUriBaseIds), ['IMAGEROOT']);
    assert.equal(run.properties.configDigest, sampleResult().image.configDigest);
    assert.deepEqual(run.invocations, [
      { executionSuccessful: true, toolExecutionNotifications: [{ level: 'warning', message: { text: sampleResult().warnings[0]! } }] },
    ]);
  });

  test('one rule per vulnerability id, results worst first, ruleIndex pointing at the rule', () => {
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      ['CVE-2023-45853', 'CVE-2023-4911', 'CVE-2024-6119'],
    );
    assert.deepEqual(
      run.results.map((r) => `${r.ruleId} ${r.level} ${String(r.properties.purl)}`),
      [
        `CVE-2023-45853 error ${PURL.zlib1g}`,
        `CVE-2023-4911 error ${PURL.libc6}`,
        `CVE-2024-6119 warning ${PURL.libssl3}`,
        `CVE-2024-6119 warning ${PURL.openssl}`,
      ],
    );
    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
  });

  test('vulnerability rules: title, fix advice, advisory link, CVSS score, tags', () => {
    const [zlib, glibc, openssl] = run.tool.driver.rules;
    assert.match(zlib!.shortDescription.text, /^MiniZip in zlib through 1.3/);
    assert.equal(zlib!.helpUri, 'https://nvd.nist.gov/vuln/detail/CVE-2023-45853');
    assert.equal(zlib!.help.text, 'No fixed version of zlib1g is available yet. See https://nvd.nist.gov/vuln/detail/CVE-2023-45853');
    assert.equal(zlib!.properties['security-severity'], '9.8');
    assert.deepEqual(zlib!.properties.tags, ['security', 'vulnerability', 'deb']);
    assert.equal(glibc!.defaultConfiguration.level, 'error');
    assert.equal(glibc!.help.text, 'Upgrade libc6 to 2.36-9+deb12u3 or later. See https://nvd.nist.gov/vuln/detail/CVE-2023-4911');
    assert.match(openssl!.help.text, /^Upgrade libssl3 and openssl to 3\.0\.14-1~deb12u2 or later\./);
    assert.equal(openssl!.properties['security-severity'], '7.5');
  });

  test('security-severity falls back to the severity without a CVSS score', () => {
    const r = sampleResult();
    for (const f of r.findings) delete f.cvss;
    const rules = render(r).runs[0]!.tool.driver.rules;
    assert.deepEqual(rules.map((x) => x.properties['security-severity']), ['9.5', '8.0', '5.5']);
  });

  test('vulnerability results: message, declaring file, layer and its digest, fingerprint', () => {
    const zlib = result(sample, 'CVE-2023-45853');
    assert.equal(zlib.message.text, 'zlib1g 1:1.2.13.dfsg-1: CVE-2023-45853 (CRITICAL), no fixed version yet');
    assert.deepEqual(zlib.locations, [{ physicalLocation: { artifactLocation: { uri: 'var/lib/dpkg/status', uriBaseId: 'IMAGEROOT' } } }]);
    assert.equal(zlib.properties.layer, 0);
    assert.equal(zlib.properties.layerDigest, sampleResult().image.layers[0]!.digest);
    const glibc = result(sample, 'CVE-2023-4911');
    assert.equal(glibc.message.text, 'libc6 2.36-9+deb12u1: CVE-2023-4911 (HIGH), fixed in 2.36-9+deb12u3, known exploited (CISA KEV)');
    const prints = run.results.map((r) => r.partialFingerprints['cavasFinding/v1']);
    assert.ok(prints.every((p) => /^[0-9a-f]{64}$/.test(p ?? '')));
    assert.equal(new Set(prints).size, prints.length);
  });

  test('fingerprints stay the same when unrelated parts of the scan change, and change with the version', () => {
    const r = sampleResult();
    r.scannedAt = '2024-01-01T00:00:00.000Z';
    r.image.layers[0]!.digest = 'sha256:' + '0'.repeat(64);
    const again = render(r).runs[0]!.results.map((x) => x.partialFingerprints);
    assert.deepEqual(again, run.results.map((x) => x.partialFingerprints));
    const bumped = sampleResult();
    bumped.findings[3]!.installedVersion = '1:1.2.13.dfsg-2';
    assert.notDeepEqual(result(render(bumped), 'CVE-2023-45853').partialFingerprints, result(sample, 'CVE-2023-45853').partialFingerprints);
  });

  test('rule findings: one rule each with remediation and references, located by file or config field', () => {
    const m = mixed.runs[0]!;
    const ids = m.tool.driver.rules.map((r) => r.id);
    assert.deepEqual(ids.slice(3), ['malware/eicar', 'secret/private-key', 'config/root-user', 'config/no-healthcheck']);
    const rootUser = m.tool.driver.rules.find((r) => r.id === 'config/root-user')!;
    assert.match(rootUser.help.text, /CIS Docker 4\.1/);
    assert.deepEqual(rootUser.properties.tags, ['security', 'config']);

    const key = result(mixed, 'secret/private-key');
    assert.equal(key.level, 'error');
    assert.equal(key.message.text, secret.message);
    assert.deepEqual(key.locations, [
      { physicalLocation: { artifactLocation: { uri: 'root/.ssh/id_rsa', uriBaseId: 'IMAGEROOT' }, region: { startLine: 1 } } },
    ]);
    assert.equal(key.properties.layer, 1);
    assert.equal(key.properties.removedInLayer, 2);
    assert.equal(key.properties.removedInLayerDigest, sampleResult().image.layers[2]!.digest);

    const user = result(mixed, 'config/root-user');
    assert.equal(user.level, 'warning');
    // no file: the image itself is the physical location (GitHub code scanning needs one), the field the logical one
    assert.deepEqual(user.locations, [
      {
        physicalLocation: { artifactLocation: { uri: 'legacy-app.docker.tar.gz' }, region: { startLine: 1 } },
        logicalLocations: [{ name: 'config.User', fullyQualifiedName: 'config.User', kind: 'member' }],
      },
    ]);
    assert.equal(result(mixed, 'config/no-healthcheck').level, 'note');

    const eicar = result(mixed, 'malware/eicar');
    assert.equal(eicar.locations[0]!.physicalLocation!.artifactLocation.uri, 'app/data/my%20file%231.zip');
    assert.equal(eicar.properties.member, 'eicar.com');
    assert.equal(eicar.properties.signature, 'EICAR-Test-File');
  });

  test('incomplete checks make the invocation unsuccessful, with the error as a notification', () => {
    const inv = mixed.runs[0]!.invocations[0]!;
    assert.equal(inv.executionSuccessful, false);
    assert.deepEqual(inv.toolExecutionNotifications?.map((n) => n.level), ['warning', 'error']);
  });

  test('deterministic: the same result renders to the same text whatever the finding order', () => {
    const a = withChecks();
    const b = withChecks();
    b.findings.reverse();
    assert.equal(sarifReporter.render(a, { color: false }), sarifReporter.render(b, { color: false }));
    assert.equal(sarifReporter.render(a, { color: false }), JSON.stringify(JSON.parse(sarifReporter.render(a, { color: false })), null, 2) + '\n');
  });
});
