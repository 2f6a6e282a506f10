/**
 * Every corpus image scanned from every form it can be stored in gives the same findings:
 * docker-archive (gzip and plain, both docker save layouts), oci-archive, oci dir (gzip and
 * zstd layers), and a plain root filesystem.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ScanResult } from '../../src/types.js';
import { IMAGES, corpusCache, scanJson, tempDir, vulns } from './cli.js';

let cache: { dir: string; cleanup: () => void };
let work: string;

before(() => {
  cache = corpusCache();
  work = tempDir('formats');
});
after(() => {
  cache.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function findingKeys(result: ScanResult): string[] {
  return vulns(result).map((f) => `${f.id} ${f.package.name} ${f.installedVersion} ${f.fixedVersion} L${f.layer} ${f.severity}`).sort();
}

function packageKeys(result: ScanResult): string[] {
  return result.inventory.packages.map((p) => `${p.purl} L${p.layer}`).sort();
}

function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Unpack an oci-archive into an OCI layout directory. */
function ociDir(archive: string, name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  return dir;
}

/** Rewrite every gzip layer of a single-manifest OCI layout as zstd, fixing the digests up the chain. */
function recompressZstd(dir: string): void {
  const blob = (d: string) => join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const desc = index.manifests[0];
  const manifest = JSON.parse(readFileSync(blob(desc.digest), 'utf8'));
  for (const layer of manifest.layers) {
    const plain = gunzipSync(readFileSync(blob(layer.digest)));
    const zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: plain, maxBuffer: 1 << 30 });
    layer.digest = sha256(zst);
    layer.size = zst.length;
    layer.mediaType = 'application/vnd.oci.image.layer.v1.tar+zstd';
    writeFileSync(blob(layer.digest), zst);
  }
  const mbytes = Buffer.from(JSON.stringify(manifest));
  desc.digest = sha256(mbytes);
  desc.size = mbytes.length;
  writeFileSync(blob(desc.digest), mbytes);
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

function assertSameScan(forms: Record<string, string>, opts: { minFindings: number }): void {
  const results = Object.entries(forms).map(([form, target]) => ({ form, target, result: scanJson(cache.dir, target) }));
  const [first, ...rest] = results;
  assert.ok(first);
  assert.ok(first.result.findings.length >= opts.minFindings, `${first.form}: expected at least ${opts.minFindings} findings, got ${first.result.findings.length}`);
  for (const r of rest) {
    assert.deepEqual(packageKeys(r.result), packageKeys(first.result), `${r.form} lists other packages than ${first.form}`);
    assert.deepEqual(findingKeys(r.result), findingKeys(first.result), `${r.form} gives other findings than ${first.form}`);
  }
}

describe('identical findings across storage formats', () => {
  it('alpine 3.16.9: legacy docker-archive (gzip and plain), oci-archive, oci dir, zstd oci dir, multi-arch index, rootfs dir', () => {
    const plain = join(work, 'alpine.docker.tar');
    writeFileSync(plain, gunzipSync(readFileSync(join(IMAGES, 'alpine-3.16.9.docker.tar.gz'))));
    const dir = ociDir(join(IMAGES, 'alpine-3.16.9.oci.tar'), 'alpine-oci');
    const zstdDir = ociDir(join(IMAGES, 'alpine-3.16.9.oci.tar'), 'alpine-oci-zstd');
    recompressZstd(zstdDir);
    const rootfs = join(work, 'alpine-rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-xzf', join(IMAGES, 'inputs', 'alpine', 'alpine-minirootfs-3.16.9-x86_64.tar.gz'), '-C', rootfs]);
    assertSameScan(
      {
        'docker-archive gzip': join(IMAGES, 'alpine-3.16.9.docker.tar.gz'),
        'docker-archive plain': `docker-archive:${plain}`,
        'oci-archive': `oci-archive:${join(IMAGES, 'alpine-3.16.9.oci.tar')}`,
        'oci dir': `oci:${dir}`,
        'oci dir zstd': `oci:${zstdDir}`,
        'multi-arch oci-archive': join(IMAGES, 'alpine-3.16.9-multiarch.oci.tar'),
        'rootfs dir': `dir:${rootfs}`,
      },
      { minFindings: 1 },
    );
  });

  it('debian-distroless: docker-archive and oci-archive', () => {
    assertSameScan(
      {
        'docker-archive': join(IMAGES, 'debian-distroless.docker.tar.gz'),
        'oci-archive': join(IMAGES, 'debian-distroless.oci.tar'),
      },
      { minFindings: 1 },
    );
  });

  for (const name of ['debian-base', 'debian-app']) {
    it(`${name}: docker-archive and the OCI archive the corpus script recreates`, () => {
      const oci = join(work, `${name}.oci.tar`);
      const tmp = oci + '.part';
      execFileSync('python3', [join(IMAGES, 'mkimage.py'), 'docker2oci', join(IMAGES, `${name}.docker.tar.gz`), name, tmp, '--epoch', '1783764997'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      renameSync(tmp, oci);
      assertSameScan({ 'docker-archive': join(IMAGES, `${name}.docker.tar.gz`), 'oci-archive': `oci-archive:${oci}` }, { minFindings: 10 });
    });
  }
});
