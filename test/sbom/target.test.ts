import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSbomTarget, sbomFile, sbomScanners } from '../../src/sbom/target.js';
import { fixturePath } from './fixtures.js';

describe('sbom: targets', () => {
  it('sbomFile takes the path after sbom: and leaves other targets alone', () => {
    assert.equal(sbomFile('sbom:out/bom.json'), 'out/bom.json');
    assert.equal(sbomFile('sbom:/abs/a:b.json'), '/abs/a:b.json');
    assert.equal(sbomFile('docker-archive:x.tar'), undefined);
    assert.equal(sbomFile('bom.json'), undefined);
    assert.throws(() => sbomFile('sbom:'), /nothing after "sbom:"/);
  });

  it('the default scanners quietly become vuln only', () => {
    const warnings: string[] = [];
    assert.deepEqual([...sbomScanners(undefined, warnings)], ['vuln']);
    assert.deepEqual(warnings, []);
  });

  it('scanners asked for by name that need an image are dropped with a warning', () => {
    const warnings: string[] = [];
    assert.deepEqual([...sbomScanners(['vuln', 'config', 'secret'], warnings)], ['vuln']);
    assert.deepEqual(warnings, ['the config, secret scanners need an image, and an SBOM lists packages only: only vulnerabilities are looked for']);
    const none: string[] = [];
    assert.deepEqual([...sbomScanners(['malware'], none)], []);
    assert.deepEqual(none, ['the malware scanner needs an image, and an SBOM lists packages only: nothing is looked for']);
    const quiet: string[] = [];
    assert.deepEqual([...sbomScanners([], quiet)], []);
    assert.deepEqual(quiet, []);
  });

  it('readSbomTarget puts the notes and an ignored --platform first among the warnings', async () => {
    const target = `sbom:${fixturePath('syft-debian.spdx.json')}`;
    const r = await readSbomTarget(target, { platform: 'linux/arm64' }, ['a note']);
    assert.equal(r.image.ref, target);
    assert.equal(r.warnings[0], 'a note');
    assert.match(r.warnings[1] ?? '', /^platform linux\/arm64 ignored/);
  });
});
