/** `cavas sbom`: the inventory as a CycloneDX or SPDX document, with no advisory database. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { IMAGES, cavas, tempDir } from './cli.js';

const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');

describe('cavas sbom', () => {
  it('writes a valid CycloneDX SBOM of every package, with no database and no vulnerabilities', async () => {
    const cache = tempDir('sbom-cache');
    const r = cavas(['--cache-dir', cache, 'sbom', ALPINE]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(r.stdout), null);
    const bom = JSON.parse(r.stdout) as { components: Array<{ purl?: string }>; vulnerabilities?: unknown[] };
    assert.equal(bom.components.filter((c) => c.purl?.startsWith('pkg:apk/alpine/')).length, 14);
    assert.equal(bom.vulnerabilities, undefined);
  });

  it('-f spdx writes SPDX 2.3; other formats are a usage error', () => {
    const cache = tempDir('sbom-cache');
    const r = cavas(['--cache-dir', cache, 'sbom', ALPINE, '-f', 'spdx']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { spdxVersion: string; packages: unknown[] };
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.ok(doc.packages.length >= 14);
    const bad = cavas(['--cache-dir', cache, 'sbom', ALPINE, '-f', 'sarif']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^cavas: error: unknown SBOM format "sarif" \(choose cyclonedx, spdx\)$/m);
  });
});
