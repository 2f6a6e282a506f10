import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderRulesDoc, ruleCatalog } from '../../src/check/catalog.js';
import { dockerfileRules } from '../../src/check/dockerfile/rules/index.js';
import { imageRules } from '../../src/check/config/image-rules.js';

describe('rule catalog', () => {
  it('docs/rules.md is generated from the tables (run `npm run docs:rules` after changing a rule)', () => {
    assert.equal(readFileSync(join(process.cwd(), 'docs', 'rules.md'), 'utf8'), renderRulesDoc());
  });

  it('every rule: category/name id matching its kind, a title, a remediation and CIS/NIST references', () => {
    assert.ok(ruleCatalog.size >= 40, `${ruleCatalog.size} rules`);
    for (const { rule } of ruleCatalog.values()) {
      assert.match(rule.id, /^(config|secret|malware|dockerfile)\/[a-z0-9-]+$/, rule.id);
      const category = rule.id.split('/')[0];
      assert.ok(category === rule.kind || (category === 'dockerfile' && rule.kind === 'config'), rule.id);
      assert.ok(rule.title.length > 5 && rule.remediation.length > 20, rule.id);
      assert.ok(rule.references.some((r) => /^(CIS Docker \d|NIST SP 800-190 \d)/.test(r)), `${rule.id}: ${rule.references.join(', ')}`);
    }
  });

  it('an id shared by the image and the Dockerfile side means the same thing (same kind and title)', () => {
    const image = new Map(imageRules.map((r) => [r.id, r]));
    const shared = dockerfileRules.filter((r) => image.has(r.id));
    assert.ok(shared.length >= 6, shared.map((r) => r.id).join(', '));
    for (const d of shared) {
      assert.equal(d.title, image.get(d.id)!.title, d.id);
      assert.equal(d.kind, image.get(d.id)!.kind, d.id);
    }
  });
});
