/**
 * Whiteouts and opaque directories across layers: the merged filesystem drops
 * what later layers delete, while the history of claimed files still reaches
 * deleted versions (with the layer that removed them).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ImageFilesystem } from '../../src/image/filesystem.js';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, debianRootfs, dir, file, LAYOUTS, opaque, whiteout, type LayerSpec, type Layout } from '../fixtures/hostile-images.js';
import { Workspace } from './hostile-helpers.js';

const ws = new Workspace('whiteouts');
after(() => ws.cleanup());

const stanza = (name: string, version: string) =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nDescription: test\n\n`;

const base: LayerSpec = {
  entries: [
    ...debianRootfs(stanza('libc6', '2.36-9') + stanza('zlib1g', '1:1.2.13')),
    dir('var/lib/dpkg/status.d'),
    file('var/lib/dpkg/status.d/old-a', stanza('old-a', '1.0')),
    file('var/lib/dpkg/status.d/old-b', stanza('old-b', '2.0')),
    dir('opt'),
    dir('opt/app'),
    file('opt/app/a', 'a'),
    dir('opt/app/sub'),
    file('opt/app/sub/c', 'c'),
    file('opt/keep', 'k'),
  ],
};

async function load(layout: Layout, layers: LayerSpec[]) {
  const img = await buildImage(ws.caseDir(), { layout, layers });
  return ws.guard(() => inventoryImage(img.ref));
}

function historyOf(fs: ImageFilesystem, path: string) {
  return fs.history().filter((f) => f.path === path).map((f) => ({ layer: f.layer, removedInLayer: f.removedInLayer, text: f.content.toString() }));
}

describe('whiteouts and opaque directories', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: deleted files and opaque dirs are gone from fs but deleted claimed files stay in history`, async () => {
      const { fs, inventory } = await load(layout, [
        base,
        {
          entries: [
            dir('var'),
            dir('var/lib'),
            dir('var/lib/dpkg'),
            whiteout('var/lib/dpkg/status'),
            dir('var/lib/dpkg/status.d'),
            opaque('var/lib/dpkg/status.d'),
            file('var/lib/dpkg/status.d/new-c', stanza('new-c', '3.0')),
            dir('opt'),
            dir('opt/app'),
            opaque('opt/app'),
            file('opt/app/new', 'n'),
          ],
        },
      ]);
      // the merged view
      assert.equal(fs.get('var/lib/dpkg/status'), undefined);
      assert.equal(fs.read('var/lib/dpkg/status'), undefined);
      assert.equal(fs.get('var/lib/dpkg/status.d/old-a'), undefined);
      assert.equal(fs.get('var/lib/dpkg/status.d/old-b'), undefined);
      assert.equal(fs.get('var/lib/dpkg/status.d/new-c')?.layer, 1);
      assert.equal(fs.get('opt/app/a'), undefined);
      assert.equal(fs.get('opt/app/sub'), undefined);
      assert.equal(fs.get('opt/app/sub/c'), undefined);
      assert.equal(fs.get('opt/app/new')?.layer, 1);
      assert.equal(fs.get('opt/app')?.entry.type, 'dir');
      assert.equal(fs.get('opt/keep')?.layer, 0);
      assert.ok(![...fs.entries()].some((n) => n.entry.path.includes('.wh.')), 'whiteout markers must not appear as files');
      // only the package whose record is still visible
      assert.deepEqual(inventory.packages.map((p) => `${p.name}@${p.version} L${p.layer}`), ['new-c@3.0 L1']);
      // history keeps what was deleted, and by which layer
      assert.deepEqual(historyOf(fs, 'var/lib/dpkg/status').map(({ layer, removedInLayer }) => ({ layer, removedInLayer })), [{ layer: 0, removedInLayer: 1 }]);
      assert.match(historyOf(fs, 'var/lib/dpkg/status')[0]!.text, /Package: libc6/);
      assert.deepEqual(historyOf(fs, 'var/lib/dpkg/status.d/old-a').map((h) => h.removedInLayer), [1]);
      assert.deepEqual(historyOf(fs, 'var/lib/dpkg/status.d/new-c').map((h) => h.removedInLayer), [undefined]);
    });
  }

  it('a whiteout hides the lower file only: re-adding it in the same or a later layer makes a new visible version', async () => {
    const { fs, inventory } = await load('oci-archive', [
      base,
      { entries: [whiteout('opt/keep'), file('opt/keep', 'same layer'), whiteout('var/lib/dpkg/status')] },
      { entries: [file('var/lib/dpkg/status', stanza('libc6', '2.36-9'))] },
    ]);
    assert.equal(fs.get('opt/keep')?.layer, 1);
    assert.deepEqual(
      historyOf(fs, 'var/lib/dpkg/status').map(({ layer, removedInLayer }) => ({ layer, removedInLayer })),
      [{ layer: 0, removedInLayer: 1 }, { layer: 2, removedInLayer: undefined }],
    );
    assert.equal(fs.read('var/lib/dpkg/status')?.layer, 2);
    const libc = inventory.packages.find((p) => p.name === 'libc6');
    assert.ok(libc);
    assert.equal(inventory.packages.some((p) => p.name === 'zlib1g'), false);
  });

  it('a replaced (not deleted) claimed file is marked removed by the layer that replaced it', async () => {
    const { fs } = await load('docker', [base, { entries: [file('var/lib/dpkg/status', stanza('libc6', '2.36-9'))] }]);
    assert.deepEqual(
      historyOf(fs, 'var/lib/dpkg/status').map(({ layer, removedInLayer }) => ({ layer, removedInLayer })),
      [{ layer: 0, removedInLayer: 1 }, { layer: 1, removedInLayer: undefined }],
    );
  });

  it('a whiteout of a directory removes its whole subtree; one of a path that never existed is harmless', async () => {
    const { fs } = await load('oci-dir', [base, { entries: [whiteout('opt/app'), whiteout('no/such/thing'), whiteout('nothing-here')] }]);
    assert.equal(fs.get('opt/app'), undefined);
    assert.equal(fs.get('opt/app/sub/c'), undefined);
    assert.equal(fs.get('opt/keep')?.layer, 0);
  });

  it('an opaque marker at the root hides every lower file', async () => {
    const { fs, inventory } = await load('oci-archive', [base, { entries: [opaque(''), file('only', 'me')] }]);
    assert.deepEqual([...fs.entries()].map((n) => n.entry.path), ['only']);
    assert.equal(inventory.os, undefined);
    assert.deepEqual(inventory.packages, []);
    assert.equal(historyOf(fs, 'var/lib/dpkg/status')[0]?.removedInLayer, 1);
  });

  it('odd whiteout names (".wh..." naming "..", aufs ".wh..wh." bookkeeping) delete nothing', async () => {
    const { fs } = await load('oci-archive', [
      base,
      { entries: [dir('opt/app'), file('opt/app/.wh...', ''), file('.wh..wh.plnk', ''), file('opt/.wh..wh.aufs', ''), file('.wh.', '')] },
    ]);
    assert.equal(fs.get('opt/app/a')?.layer, 0);
    assert.equal(fs.get('opt/keep')?.layer, 0);
    assert.equal(fs.get('etc/os-release')?.layer, 0);
    assert.ok(fs.read('var/lib/dpkg/status'));
  });
});
