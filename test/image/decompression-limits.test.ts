/**
 * Decompression bombs: a layer of zeros that inflates ~1000:1 is stopped with
 * LIMIT_EXCEEDED naming the layer, quickly, while memory stays flat (the walker
 * streams; nothing is inflated into a buffer).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DEFAULT_LIMITS, type DecompressionLimits } from '../../src/image/decompress.js';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, dir, file, minimalRootfs, zeroBombLayer, type Layout } from '../fixtures/hostile-images.js';
import { expectCavasError, IMAGES, peakRssGrowth, Workspace } from './hostile-helpers.js';

const ws = new Workspace('limits');
after(() => ws.cleanup());

const MiB = 1024 * 1024;
const SMALL: DecompressionLimits = { maxBytes: DEFAULT_LIMITS.maxBytes, maxRatio: 100, ratioGraceBytes: MiB };
const MAX_RSS_GROWTH = 200 * MiB;

describe('gzip bomb layers', () => {
  const bomb200 = zeroBombLayer(200 * MiB);

  it('the 200 MiB bomb really is one (~1000:1)', () => {
    assert.ok(bomb200.stored.length < 400 * 1024, `${bomb200.stored.length} bytes`);
  });

  it('with the limits raised the same bomb image is valid and reads (so the refusal is the limit, not a broken fixture)', { timeout: 20_000 }, async () => {
    const img = await buildImage(ws.caseDir(), { layout: 'oci-archive', layers: [{ entries: minimalRootfs() }, bomb200] });
    const { result, error, growth } = await peakRssGrowth(() =>
      ws.guard(() => inventoryImage(img.ref, { limits: { ...SMALL, maxRatio: 10_000 } })),
    );
    if (error) throw error;
    assert.equal(result?.fs.get('zeros')?.entry.size, 200 * MiB);
    assert.equal(result?.image.layers[1]?.diffId, bomb200.diffId);
    assert.ok(growth < MAX_RSS_GROWTH, `rss grew by ${Math.round(growth / MiB)} MiB`);
  });

  for (const layout of ['oci-archive', 'oci-dir', 'docker', 'docker-legacy'] as Layout[]) {
    it(`${layout}: 200 MiB of zeros with maxRatio 100 -> LIMIT_EXCEEDED, memory bounded`, { timeout: 20_000 }, async () => {
      const img = await buildImage(ws.caseDir(), { layout, layers: [{ entries: minimalRootfs() }, bomb200] });
      const { error, growth } = await peakRssGrowth(() =>
        ws.guard(() => expectCavasError(inventoryImage(img.ref, { limits: SMALL }), 'LIMIT_EXCEEDED', ['layer 1 of', img.path, '100:1'])),
      );
      if (error) throw error;
      assert.ok(growth < MAX_RSS_GROWTH, `rss grew by ${Math.round(growth / MiB)} MiB`);
    });
  }

  it('default limits: 1 GiB of zeros -> LIMIT_EXCEEDED within seconds, memory bounded', { timeout: 20_000 }, async () => {
    const bomb = zeroBombLayer(1024 * MiB);
    const img = await buildImage(ws.caseDir(), { layout: 'oci-archive', layers: [{ entries: minimalRootfs() }, bomb] });
    const started = Date.now();
    const { error, growth } = await peakRssGrowth(() =>
      ws.guard(() => expectCavasError(inventoryImage(img.ref), 'LIMIT_EXCEEDED', ['layer 1 of', img.path, `${DEFAULT_LIMITS.maxRatio}:1`])),
    );
    if (error) throw error;
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.ok(growth < MAX_RSS_GROWTH, `rss grew by ${Math.round(growth / MiB)} MiB`);
  });

  it('a bomb blob the manifest does not name is walked, refused quietly, and the image still reads', { timeout: 20_000 }, async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files) => void files.set(`blobs/sha256/${bomb200.diffId.slice(7)}`, bomb200.stored),
    });
    const { result, error, growth } = await peakRssGrowth(() => ws.guard(() => inventoryImage(img.ref, { limits: SMALL })));
    if (error) throw error;
    assert.equal(result?.inventory.packages.length, 1);
    assert.ok(growth < MAX_RSS_GROWTH, `rss grew by ${Math.round(growth / MiB)} MiB`);
  });

  it('maxBytes stops a layer that inflates past it, whatever its ratio', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-dir',
      layers: [{ entries: [...minimalRootfs(), dir('big'), file('big/blob', Buffer.alloc(3 * MiB, 7))] }],
    });
    await ws.guard(() =>
      expectCavasError(inventoryImage(img.ref, { limits: { ...DEFAULT_LIMITS, maxBytes: 2 * MiB } }), 'LIMIT_EXCEEDED', ['layer 0 of', img.path, String(2 * MiB)]),
    );
  });

  it('a gzip-compressed archive that is itself a bomb -> LIMIT_EXCEEDED naming the archive', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker',
      gzipOuter: true,
      layers: [{ entries: [...minimalRootfs(), file('zeros', Buffer.alloc(16 * MiB))] }],
    });
    const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref, { limits: SMALL }), 'LIMIT_EXCEEDED', [img.path]));
    assert.doesNotMatch(err.message, /layer \d+ of/);
  });

  it('the same small limits leave a real image alone (the limit is not firing on everything)', async () => {
    const { inventory } = await ws.guard(() => inventoryImage(`oci-archive:${IMAGES}/alpine-3.16.9.oci.tar`, { limits: SMALL }));
    assert.equal(inventory.packages.length, 14);
    const { inventory: fromDocker } = await ws.guard(() => inventoryImage(`docker-archive:${IMAGES}/alpine-3.16.9.docker.tar.gz`, { limits: SMALL }));
    assert.equal(fromDocker.packages.length, 14);
  });
});
