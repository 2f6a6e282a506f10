/**
 * The remediation plan of the real debian-app scan. Every figure is also computed here
 * straight from the scan result, so the plan is checked against a second derivation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { remediationPlan, type RemediationPlan } from '../../src/remediation/index.js';
import type { ScanResult } from '../../src/types.js';
import { compareVersions } from '../../src/version/index.js';
import { IMAGES, corpusCache, scanJson, vulns } from '../e2e/cli.js';

let cache: { dir: string; cleanup: () => void };
let app: ScanResult;
let plan: RemediationPlan;
before(() => {
  cache = corpusCache();
  app = scanJson(cache.dir, join(IMAGES, 'debian-app.docker.tar.gz'), ['--scanners', 'vuln,config,secret,malware']);
  plan = remediationPlan(app);
});
after(() => cache.cleanup());

describe('debian-app remediation plan', () => {
  it('the base is layer 0: the layer debian-base is made of', () => {
    assert.equal(plan.base.baseLayers, 1);
    const corpus = JSON.parse(readFileSync(join(IMAGES, 'corpus.json'), 'utf8')) as { images: Record<string, { layers: Array<{ diff_id: string }> }> };
    const baseDiffIds = corpus.images['debian-base']!.layers.map((l) => l.diff_id);
    const appDiffIds = app.image.layers.map((l) => l.diffId);
    // independent evidence: the leading layers shared with the base image's own layers
    let shared = 0;
    while (shared < appDiffIds.length && appDiffIds[shared] === baseDiffIds[shared]) shared++;
    assert.equal(shared, plan.base.baseLayers);
  });

  it('totals match a direct count over the findings', () => {
    const vs = vulns(app);
    const base = vs.filter((v) => v.layer === 0);
    assert.equal(plan.totals.vulnerabilities, vs.length);
    assert.equal(plan.totals.updatedBase, base.filter((v) => v.status === 'fixed').length);
    assert.equal(plan.totals.baseUnfixed, base.filter((v) => v.status === 'unfixed').length);
    assert.equal(plan.totals.appChanges, vs.filter((v) => v.layer >= 1).length);
    assert.equal(plan.totals.appUnfixed, vs.filter((v) => v.layer >= 1 && v.status === 'unfixed').length);
    // the figures as of the corpus advisory mirror
    assert.deepEqual(
      { all: plan.totals.vulnerabilities, updatedBase: plan.totals.updatedBase, baseUnfixed: plan.totals.baseUnfixed, appChanges: plan.totals.appChanges },
      { all: 200, updatedBase: 20, baseUnfixed: 3, appChanges: 177 },
    );
  });

  it('every vulnerability carries its layer digest and step', () => {
    for (const v of plan.vulnerabilities) {
      const l = app.image.layers[v.layer.index]!;
      assert.equal(v.layer.digest, l.digest);
      assert.equal(v.layer.createdBy, l.createdBy);
      assert.equal(v.origin, v.layer.index === 0 ? 'base' : 'app');
    }
  });

  it("each package's fix-all version is >= every fixed version of its findings", () => {
    const vs = vulns(app);
    assert.equal(plan.packages.length, new Set(vs.map((v) => v.package.purl)).size);
    for (const p of plan.packages) {
      const own = vs.filter((v) => v.package.purl === p.purl);
      const fixed = own.filter((v) => v.status === 'fixed');
      assert.deepEqual(p.fixed, [...new Set(fixed.map((v) => v.id))].sort());
      assert.deepEqual(p.unfixed, [...new Set(own.filter((v) => v.status === 'unfixed').map((v) => v.id))].sort());
      if (fixed.length === 0) {
        assert.equal(p.fixAllVersion, undefined, p.purl);
        continue;
      }
      for (const v of fixed) assert.ok(compareVersions(p.ecosystem, p.fixAllVersion!, v.fixedVersion) >= 0, `${p.purl} ${p.fixAllVersion} < ${v.fixedVersion}`);
      // and it is one of them: the lowest version that fixes them all
      assert.ok(fixed.some((v) => v.fixedVersion === p.fixAllVersion));
    }
  });

  it('zlib1g CVE-2023-45853 is base-origin and unfixed', () => {
    const v = plan.vulnerabilities.find((x) => x.package === 'zlib1g' && x.id === 'CVE-2023-45853');
    assert.ok(v);
    assert.equal(v.origin, 'base');
    assert.equal(v.status, 'unfixed');
    const pkg = plan.packages.find((p) => p.name === 'zlib1g')!;
    assert.deepEqual(pkg.unfixed, ['CVE-2023-45853']);
    assert.equal(pkg.fixAllVersion, undefined);
  });

  it('the npm lodash findings are app-origin, fixed all by 4.17.21', () => {
    const lodash = plan.vulnerabilities.filter((v) => v.package === 'lodash' && v.ecosystem === 'npm');
    assert.ok(lodash.length >= 2);
    for (const v of lodash) {
      assert.equal(v.origin, 'app');
      assert.equal(v.layer.createdBy, 'RUN /bin/sh -c npm ci --omit=dev # buildkit');
    }
    assert.equal(plan.packages.find((p) => p.purl === 'pkg:npm/lodash@4.17.15')!.fixAllVersion, '4.17.21');
  });

  it('rule findings are all the application\'s: planted in layers 6-8 or image config fields', () => {
    const rules = app.findings.filter((f) => f.kind !== 'vulnerability');
    assert.equal(plan.rules.length, rules.length);
    assert.equal(plan.totals.rules.base, 0);
    assert.ok(plan.rules.some((r) => r.ruleId === 'malware/eicar' && r.layer?.index === 7));
    assert.ok(plan.rules.some((r) => r.field === 'config.User' && r.origin === 'app'));
  });
});
