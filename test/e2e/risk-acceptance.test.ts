/**
 * Accepting a risk on purpose: a .cavasignore entry (with a reason and an expiry) or an
 * OpenVEX statement takes a finding out of the report and the exit code; once the entry
 * expires (fixed clock: SOURCE_DATE_EPOCH), the finding and the failing exit code return.
 * Suppressed vulnerabilities travel in CycloneDX as VEX analysis.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { ScanResult } from '../../src/types.js';
import { IMAGES, cavas, corpusCache, tempDir, vulns } from './cli.js';

const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
/** 2026-12-31 and 2027-01-01, noon UTC */
const BEFORE_EXPIRY = String(Date.UTC(2026, 11, 31, 12) / 1000);
const AFTER_EXPIRY = String(Date.UTC(2027, 0, 1, 12) / 1000);

let cache: { dir: string; cleanup: () => void };
let work: string;
let all: ScanResult;
before(() => {
  cache = corpusCache();
  work = tempDir('risk');
  const r = cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '-f', 'json', '--scanners', 'vuln']);
  all = JSON.parse(r.stdout) as ScanResult;
  assert.ok(vulns(all).length >= 2, 'alpine has vulnerability findings to accept');
});
after(() => cache.cleanup());

function run(args: string[], epoch: string) {
  return cavas(['--cache-dir', cache.dir, 'scan', ALPINE, '--scanners', 'vuln', '--exit-code', '4', ...args], { cwd: work, env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
}

describe('.cavasignore', () => {
  it('suppresses every finding until its expiry; after it the findings and the exit code come back', () => {
    const entries = vulns(all).map((f) => `  - id: ${f.id}\n    package: ${f.package.name}\n    reason: "reviewed: not reachable in this image"\n    expires: 2026-12-31\n`);
    writeFileSync(join(work, '.cavasignore'), `ignore:\n${[...new Set(entries)].join('')}`);

    const quiet = run(['-f', 'json'], BEFORE_EXPIRY);
    assert.equal(quiet.status, 0, quiet.stderr);
    const q = JSON.parse(quiet.stdout) as ScanResult;
    assert.equal(vulns(q).length, 0);
    assert.equal(q.summary.suppressed, vulns(all).length);
    assert.ok(q.suppressed!.every((s) => s.by === 'cavasignore' && s.reason.startsWith('reviewed') && s.expires === '2026-12-31'));
    assert.equal(q.scannedAt, '2026-12-31T12:00:00.000Z');

    const back = run(['-f', 'json'], AFTER_EXPIRY);
    assert.equal(back.status, 4, 'the --exit-code gate fails again');
    const b = JSON.parse(back.stdout) as ScanResult;
    assert.equal(vulns(b).length, vulns(all).length);
    assert.equal(b.suppressed, undefined);
    assert.match(back.stderr, /expired on 2026-12-31; its findings are reported again/);
  });

  it('suppressed findings are VEX in CycloneDX, and the BOM validates', async () => {
    const out = join(work, 'bom.json');
    const r = run(['-f', 'cyclonedx', '-o', out], BEFORE_EXPIRY);
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text), null);
    const bom = JSON.parse(text) as { vulnerabilities: Array<{ id: string; analysis?: { state: string; response?: string[]; detail?: string } }> };
    assert.equal(bom.vulnerabilities.length, new Set(vulns(all).map((f) => f.id)).size);
    for (const v of bom.vulnerabilities) {
      assert.equal(v.analysis?.state, 'exploitable');
      assert.deepEqual(v.analysis?.response, ['will_not_fix']);
      assert.match(v.analysis?.detail ?? '', /^Accepted risk: reviewed: not reachable in this image \(until 2026-12-31\)/);
    }
  });

  it('a bad entry is a one-line error naming the file and entry', () => {
    writeFileSync(join(work, 'bad.cavasignore'), 'ignore:\n  - id: CVE-2022-1\n');
    const r = run(['--ignore-file', 'bad.cavasignore'], BEFORE_EXPIRY);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^cavas: error: .*bad\.cavasignore.*ignore\[0\].*reason/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('OpenVEX', () => {
  it('a not_affected statement suppresses the finding and becomes not_affected analysis', () => {
    const f = vulns(all)[0]!;
    const doc = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.test/vex/1',
      author: 'test',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: f.id }, products: [{ '@id': f.package.purl }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    };
    writeFileSync(join(work, 'vex.json'), JSON.stringify(doc));
    writeFileSync(join(work, '.cavasignore'), 'ignore: []\n');
    const r = run(['-f', 'json', '--vex', 'vex.json'], BEFORE_EXPIRY);
    const res = JSON.parse(r.stdout) as ScanResult;
    assert.ok(!vulns(res).some((v) => v.id === f.id && v.package.purl === f.package.purl));
    const s = res.suppressed!.find((x) => x.finding.kind === 'vulnerability' && x.finding.id === f.id)!;
    assert.equal(s.by, 'openvex');
    assert.equal(s.justification, 'vulnerable_code_not_in_execute_path');

    const bom = JSON.parse(run(['-f', 'cyclonedx', '--vex', 'vex.json'], BEFORE_EXPIRY).stdout) as { vulnerabilities: Array<{ id: string; analysis?: { state: string; justification?: string } }> };
    const v = bom.vulnerabilities.find((x) => x.id === f.id && x.analysis);
    assert.deepEqual([v?.analysis?.state, v?.analysis?.justification], ['not_affected', 'code_not_reachable']);
  });
});
