/**
 * Broken metadata (manifest.json, index.json, manifests, configs) and files that
 * are not images at all: a one-line BAD_IMAGE (or NOT_FOUND for what is not
 * there) naming the file, never a JSON.parse stack trace or a TypeError.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, dir, file, minimalRootfs, packTar, type Layout } from '../fixtures/hostile-images.js';
import { expectCavasError, IMAGES, Workspace } from './hostile-helpers.js';

const ws = new Workspace('malformed');
after(() => ws.cleanup());

const layers = () => [{ entries: minimalRootfs() }];
const deepJson = '['.repeat(200_000) + ']'.repeat(200_000);

describe('docker manifest.json', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{"Config": "x", ', /malformed JSON/],
    ['binary garbage', '\u0000\u0001\u0002garbage', /malformed JSON/],
    ['JSON broken by a line break and terminal escapes', '{"Config":\r\u001b[2K\u001b]0;pwned\u0007', /malformed JSON .*\\x1b/],
    ['an object, not a list', '{}', /no images/],
    ['an empty list', '[]', /no images/],
    ['null', 'null', /no images/],
    ['an entry without Layers', '[{"Config": "c.json"}]', /Config or Layers/],
    ['non-string layer paths', '[{"Config": "c.json", "Layers": [1, 2]}]', /Config or Layers/],
    ['nested 200k deep', deepJson, /no images|malformed JSON|lacks Config/],
  ];
  for (const layout of ['docker-legacy', 'docker'] as Layout[]) {
    for (const [label, text, why] of bad) {
      it(`${layout}: manifest.json is ${label} -> BAD_IMAGE`, async () => {
        const img = await buildImage(ws.caseDir(), { layout, layers: layers(), tamper: (files) => void files.set('manifest.json', Buffer.from(text, 'latin1')) });
        const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'manifest.json']));
        assert.match(err.message, why);
      });
    }
  }

  it('several images and no tag chosen -> BAD_IMAGE listing the tags', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker-legacy',
      layers: layers(),
      tamper: (files) => {
        const m = JSON.parse((files.get('manifest.json') as Buffer).toString()) as Array<{ RepoTags: string[] }>;
        files.set('manifest.json', Buffer.from(JSON.stringify([m[0], { ...m[0], RepoTags: ['other:1'] }])));
      },
    });
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'other:1']));
  });
});

describe('OCI index.json', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', '{"manifests": [', /malformed JSON/],
    ['null', 'null', /no manifests/],
    ['a list', '[]', /no manifests/],
    ['manifests not a list', '{"manifests": "all of them"}', /no manifests/],
    ['an empty manifests list', '{"manifests": []}', /no images/],
    ['a descriptor without digest', '{"manifests": [{"size": 3}]}', /digest or size/],
    ['a digest naming a path', '{"manifests": [{"digest": "sha256:../../../../etc/passwd", "size": 10}]}', /malformed digest/],
    ['a sha512 digest', `{"manifests": [{"digest": "sha512:${'a'.repeat(128)}", "size": 10}]}`, /digest/],
    ['a negative size', `{"manifests": [{"digest": "sha256:${'a'.repeat(64)}", "size": -1}]}`, /invalid size/],
    ['an absurd size', `{"manifests": [{"digest": "sha256:${'a'.repeat(64)}", "size": 1e300}]}`, /invalid size/],
    ['nested 200k deep', deepJson, /no manifests|malformed JSON/],
  ];
  for (const layout of ['oci-archive', 'oci-dir'] as Layout[]) {
    for (const [label, text, why] of bad) {
      it(`${layout}: index.json is ${label} -> BAD_IMAGE`, async () => {
        const img = await buildImage(ws.caseDir(), { layout, layers: layers(), tamper: (files) => void files.set('index.json', Buffer.from(text)) });
        const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path]));
        assert.match(err.message, why);
      });
    }
  }
});

describe('OCI manifest and config blobs (digests right, content wrong)', () => {
  const manifests: Array<[string, string, RegExp]> = [
    ['not JSON', '{"layers": [', /malformed JSON/],
    ['without layers', `{"schemaVersion": 2, "config": {"digest": "sha256:${'a'.repeat(64)}", "size": 2}}`, /no config or layers/],
    ['with a layer descriptor lacking a digest', `{"config": {"digest": "sha256:${'a'.repeat(64)}", "size": 2}, "layers": [{"size": 1}]}`, /layers\[0\]/],
  ];
  for (const layout of ['oci-archive', 'oci-dir', 'docker'] as Layout[]) {
    for (const [label, text, why] of manifests) {
      if (layout === 'docker') continue; // docker-archive reads manifest.json, not the OCI manifest
      it(`${layout}: the image manifest is ${label} -> BAD_IMAGE`, async () => {
        const img = await buildImage(ws.caseDir(), { layout, layers: layers(), rawManifest: Buffer.from(text) });
        const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'manifest']));
        assert.match(err.message, why);
      });
    }
  }

  const configs: Array<[string, string, RegExp]> = [
    ['not JSON', '{"rootfs": ', /malformed JSON/],
    ['a list', '[]', /not a JSON object/],
    ['without rootfs', '{"architecture": "amd64", "os": "linux"}', /rootfs\.diff_ids/],
    ['with diff_ids that are paths', '{"rootfs": {"type": "layers", "diff_ids": ["../../etc/passwd"]}}', /rootfs\.diff_ids/],
  ];
  for (const layout of ['docker-legacy', 'docker', 'oci-archive', 'oci-dir'] as Layout[]) {
    for (const [label, text, why] of configs) {
      it(`${layout}: the config is ${label} -> BAD_IMAGE`, async () => {
        const img = await buildImage(ws.caseDir(), { layout, layers: layers(), rawConfig: Buffer.from(text) });
        const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'config']));
        assert.match(err.message, why);
      });
    }
  }
});

describe('not an image at all', () => {
  const files: Array<[string, () => Buffer | Promise<Buffer>]> = [
    ['a text file', () => Buffer.from('Dear reader,\nthis is not a container image.\n'.repeat(50))],
    ['an empty file', () => Buffer.alloc(0)],
    ['one byte', () => Buffer.from('x')],
    ['random bytes', () => randomBytes(64 * 1024)],
    ['gzip of text', () => gzipSync(Buffer.from('hello\n'.repeat(1000)))],
    ['zstd magic and noise', () => Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(4096)])],
    ['a JSON document', () => Buffer.from('{"schemaVersion": 2, "manifests": []}')],
    ['a tar of a plain root filesystem', () => packTar([dir('etc'), file('etc/os-release', 'ID=alpine\n')])],
  ];
  for (const [label, make] of files) {
    for (const prefix of ['', 'docker-archive:', 'oci-archive:']) {
      it(`${label}${prefix ? ` as ${prefix}` : ' (auto-detected)'} -> BAD_IMAGE`, async () => {
        const path = join(ws.caseDir(), 'not-an-image');
        writeFileSync(path, await make());
        await ws.guard(() => expectCavasError(inventoryImage(prefix + path), 'BAD_IMAGE', [path]));
      });
    }
  }

  it('the corpus alpine minirootfs tarball (a rootfs, not an image) -> BAD_IMAGE', async () => {
    const path = join(IMAGES, 'inputs', 'alpine', 'alpine-minirootfs-3.16.9-x86_64.tar.gz');
    const err = await ws.guard(() => expectCavasError(inventoryImage(path), 'BAD_IMAGE', [path]));
    assert.match(err.message, /manifest\.json|index\.json/);
  });

  it('oci: on a directory without index.json -> NOT_FOUND naming index.json', async () => {
    const d = ws.caseDir();
    writeFileSync(join(d, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await ws.guard(() => expectCavasError(inventoryImage(`oci:${d}`), 'NOT_FOUND', [d, 'index.json']));
  });

  it('oci: on a directory whose index.json is a directory -> BAD_IMAGE', async () => {
    const d = ws.caseDir();
    mkdirSync(join(d, 'index.json'));
    await ws.guard(() => expectCavasError(inventoryImage(`oci:${d}`), 'BAD_IMAGE', [d, 'index.json']));
  });

  it('oci: on a regular file -> NOT_FOUND', async () => {
    const path = join(ws.caseDir(), 'file');
    writeFileSync(path, 'x');
    await ws.guard(() => expectCavasError(inventoryImage(`oci:${path}`), 'NOT_FOUND', [path]));
  });

  it('docker-archive: on a directory -> BAD_IMAGE or NOT_FOUND, one line', async () => {
    const d = ws.caseDir();
    let code: string | undefined;
    try {
      await inventoryImage(`docker-archive:${d}`);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    assert.ok(code === 'BAD_IMAGE' || code === 'NOT_FOUND', `got ${code}`);
    await ws.guard(() => expectCavasError(inventoryImage(`docker-archive:${d}`), code as 'BAD_IMAGE', [d]));
  });

  for (const prefix of ['', 'docker-archive:', 'oci-archive:', 'oci:', 'dir:']) {
    it(`${prefix || 'a plain path'} that does not exist -> NOT_FOUND`, async () => {
      const path = join(ws.root, 'no', 'such', 'image.tar');
      await ws.guard(() => expectCavasError(inventoryImage(prefix + path), 'NOT_FOUND', [path]));
    });
  }

  it('oci: with blobs symlinked to /dev/zero -> BAD_IMAGE, no hang, no memory blow-up', { timeout: 20_000 }, async () => {
    for (const which of ['layer', 'config', 'index'] as const) {
      const img = await buildImage(ws.caseDir(), {
        layout: 'oci-dir',
        layers: layers(),
        tamper: (files, { layerPaths, configDigest }) => {
          const p = which === 'layer' ? layerPaths[0]! : which === 'config' ? `blobs/sha256/${configDigest.slice(7)}` : 'index.json';
          files.set(p, { symlink: '/dev/zero' });
        },
      });
      await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'not a regular file']));
    }
  });

  it('an image whose manifest digest names a blob holding a different manifest -> DIGEST_MISMATCH', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: layers(),
      tamper: (files, { manifestDigest }) => {
        const p = `blobs/sha256/${manifestDigest!.slice(7)}`;
        files.set(p, Buffer.from((files.get(p) as Buffer).toString().replace('"schemaVersion":2', '"schemaVersion":3')));
      },
    });
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', [img.path, 'manifest']));
  });
});
