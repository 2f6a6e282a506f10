import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remediationPlan } from '../../src/remediation/plan.js';
import type { Ecosystem, Finding, HistoryEntry, ScanResult, VulnerabilityFinding } from '../../src/types.js';
import { SCAN_RESULT_SCHEMA } from '../../src/types.js';

const STEPS: Array<[string, boolean]> = [
  ['ADD rootfs.tar.gz / # buildkit', false],
  ['CMD ["bash"]', true],
  ['ARG TOKEN=abc', true],
  ['RUN /bin/sh -c apt-get install -y openssl # buildkit', false],
  ['RUN /bin/sh -c npm ci # buildkit', false],
];

function result(findings: Finding[]): ScanResult {
  let layer = 0;
  const history: HistoryEntry[] = STEPS.map(([createdBy, emptyLayer]) => (emptyLayer ? { createdBy, emptyLayer } : { createdBy, emptyLayer, layer: layer++ }));
  return {
    schema: SCAN_RESULT_SCHEMA,
    tool: { name: 'cavas', version: '0' },
    scannedAt: '2026-01-01T00:00:00Z',
    image: {
      ref: 'x',
      transport: 'docker-archive',
      tags: [],
      configDigest: 'sha256:c',
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [0, 1, 2].map((i) => ({ index: i, digest: `sha256:l${i}`, diffId: `sha256:d${i}`, size: 1, createdBy: STEPS.filter((s) => !s[1])[i]![0] })),
      config: {},
      history,
    },
    inventory: { packages: [] },
    findings,
    summary: { packages: 0, findings: findings.length, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NEGLIGIBLE: 0, UNKNOWN: 0 }, fixable: 0 },
    warnings: [],
  };
}

function vuln(id: string, eco: Ecosystem, name: string, version: string, fixed: string, layer: number): VulnerabilityFinding {
  const purl = `pkg:${eco}/${name}@${version}`;
  return {
    kind: 'vulnerability',
    id,
    aliases: [],
    severity: 'HIGH',
    package: { name, version, ecosystem: eco, purl },
    installedVersion: version,
    fixedVersion: fixed,
    status: fixed === 'unfixed' ? 'unfixed' : 'fixed',
    kev: false,
    sources: [],
    layer,
  };
}

const FINDINGS: Finding[] = [
  vuln('CVE-3', 'npm', 'lodash', '4.17.15', '4.17.21', 2),
  vuln('CVE-2', 'npm', 'lodash', '4.17.15', '4.17.19', 2),
  // deb ordering, not string ordering: 3.0.11 > 3.0.9 and the epoch-less tilde sorts lower
  vuln('CVE-5', 'deb', 'libssl3', '3.0.8-1', '3.0.9-1', 1),
  vuln('CVE-6', 'deb', 'libssl3', '3.0.8-1', '3.0.11-1~deb12u2', 1),
  vuln('CVE-7', 'deb', 'libssl3', '3.0.8-1', '3.0.11-1~deb12u1', 1),
  vuln('CVE-1', 'deb', 'zlib1g', '1.2.13', 'unfixed', 0),
  vuln('CVE-4', 'deb', 'perl-base', '5.36.0-7', '5.36.0-7+deb12u4', 0),
  vuln('CVE-8', 'deb', 'perl-base', '5.36.0-7', 'unfixed', 0),
  { kind: 'config', ruleId: 'config/setuid-file', severity: 'HIGH', title: 't', message: 'm', remediation: 'r', references: [], path: 'usr/bin/su', layer: 0 },
  { kind: 'config', ruleId: 'config/root-user', severity: 'MEDIUM', title: 't', message: 'm', remediation: 'r', references: [], field: 'config.User' },
  { kind: 'config', ruleId: 'config/secret-in-arg', severity: 'HIGH', title: 't', message: 'm', remediation: 'r', references: [], field: 'history[2]' },
  { kind: 'secret', ruleId: 'secret/github-pat', severity: 'HIGH', title: 't', message: 'm', remediation: 'r', references: [], path: 'app/.env', layer: 2, match: 'ghp_****' },
];

describe('remediationPlan', () => {
  const plan = remediationPlan(result(FINDINGS));

  it('splits by the history and labels each vulnerability with its layer', () => {
    assert.equal(plan.base.baseLayers, 1);
    const byId = new Map(plan.vulnerabilities.map((v) => [v.id, v]));
    assert.equal(byId.get('CVE-1')!.origin, 'base');
    assert.deepEqual(byId.get('CVE-1')!.layer, { index: 0, digest: 'sha256:l0', createdBy: 'ADD rootfs.tar.gz / # buildkit' });
    assert.equal(byId.get('CVE-5')!.origin, 'app');
    assert.equal(byId.get('CVE-3')!.layer.createdBy, 'RUN /bin/sh -c npm ci # buildkit');
  });

  it('orders vulnerabilities by layer, purl, id whatever the input order', () => {
    assert.deepEqual(
      plan.vulnerabilities.map((v) => v.id),
      ['CVE-4', 'CVE-8', 'CVE-1', 'CVE-5', 'CVE-6', 'CVE-7', 'CVE-2', 'CVE-3'],
    );
    assert.deepEqual(remediationPlan(result([...FINDINGS].reverse())), plan);
  });

  it('per package: the highest fixed version by its ecosystem, unfixed ids apart', () => {
    const byName = new Map(plan.packages.map((p) => [p.name, p]));
    assert.equal(byName.get('libssl3')!.fixAllVersion, '3.0.11-1~deb12u2');
    assert.deepEqual(byName.get('libssl3')!.fixed, ['CVE-5', 'CVE-6', 'CVE-7']);
    assert.equal(byName.get('lodash')!.fixAllVersion, '4.17.21');
    assert.equal(byName.get('lodash')!.origin, 'app');
    assert.equal(byName.get('zlib1g')!.fixAllVersion, undefined);
    assert.deepEqual(byName.get('zlib1g')!.unfixed, ['CVE-1']);
    assert.deepEqual(byName.get('perl-base')!.fixed, ['CVE-4']);
    assert.deepEqual(byName.get('perl-base')!.unfixed, ['CVE-8']);
    assert.equal(byName.get('perl-base')!.origin, 'base');
    assert.deepEqual(plan.packages.map((p) => p.purl), [...plan.packages.map((p) => p.purl)].sort());
  });

  it('totals: fixed base findings go with an updated base, app ones need app changes', () => {
    assert.deepEqual(plan.totals, {
      vulnerabilities: 8,
      updatedBase: 1,
      baseUnfixed: 2,
      appChanges: 5,
      appFixable: 5,
      appUnfixed: 0,
      rules: { base: 1, app: 3 },
    });
  });

  it('rule findings: by layer, by history step, config fields are the application\'s', () => {
    const byRule = new Map(plan.rules.map((r) => [r.ruleId, r]));
    assert.equal(byRule.get('config/setuid-file')!.origin, 'base');
    assert.equal(byRule.get('secret/github-pat')!.origin, 'app');
    // the ARG step sits after the base's closing CMD: the application's build ran it
    assert.equal(byRule.get('config/secret-in-arg')!.origin, 'app');
    assert.equal(byRule.get('config/root-user')!.origin, 'app');
    assert.match(byRule.get('config/root-user')!.reason!, /config field/);
  });

  it('a caller-given count moves the boundary', () => {
    const p = remediationPlan(result(FINDINGS), { baseLayers: 2 });
    assert.equal(p.totals.updatedBase, 4);
    assert.equal(p.totals.appChanges, 2);
    assert.equal(p.rules.find((r) => r.ruleId === 'config/secret-in-arg')!.origin, 'base');
    const all = remediationPlan(result(FINDINGS), { baseLayers: 3 });
    assert.equal(all.rules.find((r) => r.ruleId === 'config/root-user')!.origin, 'base');
    assert.equal(all.totals.appChanges, 0);
  });
});
