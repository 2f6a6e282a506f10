/**
 * Blobs that are missing or do not match what the manifest and config say:
 * MISSING_BLOB / DIGEST_MISMATCH, one line naming the layer (or config).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, file, flipByte, LAYOUTS, minimalRootfs, sha256, type LayoutFiles, type Layout } from '../fixtures/hostile-images.js';
import { expectCavasError, Workspace } from './hostile-helpers.js';

const ws = new Workspace('digests');
after(() => ws.cleanup());

/** Layer 1 holds one file whose 100 content bytes start right after the first 512-byte tar header. */
const CONTENT_OFFSET = 512 + 10;
const layers = (compression?: 'gzip' | 'none') => [{ entries: minimalRootfs() }, { entries: [file('data', 'A'.repeat(100))], compression }];

/** Rewrite the OCI manifest blob and point index.json at the new one. */
function editOciManifest(files: LayoutFiles, manifestDigest: string, edit: (m: { layers: Array<{ size: number; digest: string }> }) => void): void {
  const oldPath = `blobs/sha256/${manifestDigest.slice(7)}`;
  const m = JSON.parse((files.get(oldPath) as Buffer).toString());
  edit(m);
  const bytes = Buffer.from(JSON.stringify(m));
  files.delete(oldPath);
  files.set(`blobs/sha256/${sha256(bytes).slice(7)}`, bytes);
  const index = JSON.parse((files.get('index.json') as Buffer).toString());
  index.manifests[0].digest = sha256(bytes);
  index.manifests[0].size = bytes.length;
  files.set('index.json', Buffer.from(JSON.stringify(index)));
}

describe('missing blobs', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: the manifest names a layer the image does not hold -> MISSING_BLOB`, async () => {
      const img = await buildImage(ws.caseDir(), { layout, layers: layers(), tamper: (files, { layerPaths }) => void files.delete(layerPaths[1]!) });
      await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'MISSING_BLOB', ['layer 1 of', img.path]));
    });

    it(`${layout}: the config blob is missing -> MISSING_BLOB`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        tamper: (files, { configDigest }) => {
          const hex = configDigest.slice(7);
          for (const k of [...files.keys()]) if (k.includes(hex)) files.delete(k);
        },
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'MISSING_BLOB', [img.path]));
      assert.match(err.message, /config/);
    });
  }

  for (const layout of ['oci-archive', 'oci-dir'] as Layout[]) {
    it(`${layout}: index.json names a manifest that is not there -> MISSING_BLOB`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        tamper: (files, { manifestDigest }) => void files.delete(`blobs/sha256/${manifestDigest!.slice(7)}`),
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'MISSING_BLOB', [img.path]));
      assert.match(err.message, /manifest/);
    });
  }
});

describe('layer bytes that do not match their digest', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: one flipped byte in an uncompressed layer -> DIGEST_MISMATCH naming the layer`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers('none'),
        tamper: (files, { layerPaths }) => {
          const p = layerPaths[1]!;
          files.set(p, flipByte(files.get(p) as Buffer, CONTENT_OFFSET));
        },
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', ['layer 1 of', img.path]));
      assert.match(err.message, /mismatch/);
    });
  }

  for (const layout of ['oci-archive', 'oci-dir', 'docker'] as Layout[]) {
    it(`${layout}: a gzip layer re-stamped (header mtime changed, content intact) -> DIGEST_MISMATCH on the blob digest`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers('gzip'),
        tamper: (files, { layerPaths }) => {
          const p = layerPaths[1]!;
          // bytes 4..7 of a gzip member are its mtime: the data still inflates to the same tar
          files.set(p, flipByte(files.get(p) as Buffer, 5));
        },
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', ['layer 1 of', img.path, 'digest mismatch']));
      assert.doesNotMatch(err.message, /diff_id/);
    });
  }

  for (const layout of ['oci-archive', 'oci-dir'] as Layout[]) {
    it(`${layout}: the manifest states a wrong layer size -> DIGEST_MISMATCH`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        tamper: (files, { manifestDigest }) => editOciManifest(files, manifestDigest!, (m) => void (m.layers[1]!.size += 1)),
      });
      await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', ['layer 1 of', img.path, 'size']));
    });
  }
});

describe('config rootfs.diff_ids that do not match the layers', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: a wrong diff_id -> DIGEST_MISMATCH naming the layer`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        editConfig: (c) => void ((c.rootfs as { diff_ids: string[] }).diff_ids[1] = sha256('something else')),
      });
      await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', ['layer 1 of', img.path, 'diff_id']));
    });

    it(`${layout}: diff_ids in the wrong order -> DIGEST_MISMATCH on layer 0`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        editConfig: (c) => void (c.rootfs as { diff_ids: string[] }).diff_ids.reverse(),
      });
      await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', ['layer 0 of', img.path, 'diff_id']));
    });
  }

  it('one diff_id too few -> BAD_IMAGE (the counts disagree before any layer can be matched)', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: layers(),
      editConfig: (c) => void (c.rootfs as { diff_ids: string[] }).diff_ids.pop(),
    });
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_IMAGE', [img.path, 'diff_ids']));
  });

  for (const layout of ['docker-legacy', 'docker', 'oci-archive'] as Layout[]) {
    it(`${layout}: config bytes changed after the manifest named them -> DIGEST_MISMATCH naming the config`, async () => {
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: layers(),
        tamper: (files, { configDigest }) => {
          const p = [...files.keys()].find((k) => k.includes(configDigest.slice(7)))!;
          files.set(p, Buffer.from((files.get(p) as Buffer).toString().replace('fixture layer 0', 'fixture layer X')));
        },
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'DIGEST_MISMATCH', [img.path]));
      assert.match(err.message, /config/);
    });
  }
});

describe('repeated layers', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: the same layer twice in one image reads (docker save <= 24 symlinks the second layer.tar)`, async () => {
      const same = { entries: [file('same', 'identical bytes')] };
      const img = await buildImage(ws.caseDir(), { layout, layers: [{ entries: minimalRootfs() }, same, { entries: [file('between', 'x')] }, same] });
      const { image, fs, inventory } = await ws.guard(() => inventoryImage(img.ref));
      assert.equal(image.layers.length, 4);
      assert.equal(image.layers[1]?.diffId, image.layers[3]?.diffId);
      assert.equal(fs.get('same')?.layer, 3);
      assert.equal(inventory.packages.length, 1);
    });
  }
});
