import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { extractionClaims } from '../../src/extract/index.js';
import { inventoryImage } from '../../src/inventory.js';
import { IMAGES } from '../image/hostile-helpers.js';

it('the walk keeps the bytes of claimed files only (debian-app, all extractors)', async () => {
  const { fs } = await inventoryImage(join(IMAGES, 'debian-app.docker.tar.gz'));
  const claims = extractionClaims();
  const entryOf = new Map([...fs.entries()].map((n) => [n.entry.path, n.entry]));
  const captured = fs.history();
  assert.ok(captured.length > 100, 'status files, package.json files, jars and binaries are captured');
  let total = 0;
  for (const file of captured) {
    const entry = entryOf.get(file.path) ?? { path: file.path, type: 'file' as const, mode: 0o644, size: file.content.length, uid: 0, gid: 0 };
    assert.ok(claims.some((c) => c.wants(file.path, entry)), `${file.path} was read although no extractor claims it`);
    total += file.content.length;
  }
  // jars and binaries are reduced to small summaries: what is held is a few MB, not the image's 200 MB
  assert.ok(total < 16 * 1024 * 1024, `captured ${total} bytes`);
});
