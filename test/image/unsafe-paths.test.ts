/**
 * Layers (and outer archives) naming paths outside the image root: refused with
 * UNSAFE_PATH, one line naming the layer, and nothing is ever written anywhere.
 * Symlink targets follow src/image/paths.ts: absolute targets are rooted at the
 * image root ('..' clamps there, as the kernel does inside the container);
 * relative ones that climb above the root are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, dir, file, hardlink, LAYOUTS, minimalRootfs, symlink, type EntrySpec, type Layout } from '../fixtures/hostile-images.js';
import { expectCavasError, HANG_MS, Workspace } from './hostile-helpers.js';

const ws = new Workspace('paths');
after(() => ws.cleanup());

const marker = `cavas-escape-${randomBytes(4).toString('hex')}`;

async function hostileLayer(layout: Layout, entries: EntrySpec[]) {
  return buildImage(ws.caseDir(), { layout, layers: [{ entries: minimalRootfs() }, { entries }] });
}

const badNames: Array<[string, string]> = [
  ['parent traversal', `../${marker}/passwd`],
  ['deep parent traversal', `../../../../../../${marker}`],
  ['absolute path', `/tmp/${marker}`],
  ['dot-dot in the middle', `a/../../${marker}`],
  ['dot-slash then traversal', `./../${marker}`],
];

describe('entry names escaping the root', () => {
  for (const layout of LAYOUTS) {
    for (const [label, name] of badNames) {
      it(`${layout}: ${label} (${name.replace(marker, 'M')}) -> UNSAFE_PATH`, { timeout: HANG_MS }, async () => {
        const img = await hostileLayer(layout, [dir('a'), file(name, 'root:x:0:0::/root:/bin/sh\n')]);
        await ws.guard(async () => {
          await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 1 of', img.path, name.slice(0, 40)]);
        }, [marker]);
      });
    }
  }

  it('a hostile name in a later layer is reported even when an earlier layer is fine', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: [{ entries: minimalRootfs() }, { entries: [file('ok', 'x')] }, { entries: [file(`../${marker}`, 'x')] }],
    });
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 2 of', img.path]);
    }, [marker]);
  });
});

describe('hard links', () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: hard link to ../x -> UNSAFE_PATH`, async () => {
      const img = await hostileLayer(layout, [hardlink('h', `../${marker}`)]);
      await ws.guard(async () => {
        await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 1 of', img.path, 'hard link "h"', `../${marker}`]);
      }, [marker]);
    });
  }

  it('hard link to an absolute path -> UNSAFE_PATH (tar writers strip the leading slash)', async () => {
    const img = await hostileLayer('oci-archive', [hardlink('h', '/etc/passwd')]);
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 1 of', '/etc/passwd']);
    });
  });

  it('hard link inside the root is kept and read through', async () => {
    const img = await hostileLayer('oci-archive', [dir('usr'), dir('usr/lib'), hardlink('usr/lib/os-release', 'etc/os-release')]);
    await ws.guard(async () => {
      const { fs } = await inventoryImage(img.ref);
      assert.equal(fs.get('usr/lib/os-release')?.entry.type, 'hardlink');
      assert.equal(fs.get('usr/lib/os-release')?.entry.link, 'etc/os-release');
    });
  });
});

describe('symlinks', () => {
  const escaping: Array<[string, string]> = [
    ['evil', '../../../../etc'],
    ['usr/bin/evil', '../../../etc/passwd'],
    ['a/b', `../../${marker}`],
  ];
  for (const layout of LAYOUTS) {
    for (const [path, target] of escaping) {
      it(`${layout}: relative symlink ${path} -> ${target.replace(marker, 'M')} climbing above the root -> UNSAFE_PATH`, async () => {
        const img = await hostileLayer(layout, [dir('a'), dir('usr'), dir('usr/bin'), symlink(path, target)]);
        await ws.guard(async () => {
          await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 1 of', img.path, path, 'escapes the image root']);
        }, [marker]);
      });
    }
  }

  it('absolute targets resolve inside the image root; ".." above "/" clamps to the root', async () => {
    const img = await hostileLayer('docker', [
      symlink('x', '/etc/../..'),
      symlink('passwd-link', '/etc/passwd'),
      symlink('rel-ok', 'etc/../etc/os-release'),
      dir('usr'),
      dir('usr/lib'),
      symlink('usr/lib/os-release', '../../etc/os-release'),
    ]);
    await ws.guard(async () => {
      const { fs, inventory } = await inventoryImage(img.ref);
      assert.equal(fs.get('x')?.entry.link, '');
      assert.equal(fs.get('passwd-link')?.entry.link, 'etc/passwd');
      assert.equal(fs.resolve('x/etc/os-release'), 'etc/os-release');
      // the image has no etc/passwd: the link dangles inside the image, it never reaches the host's
      assert.equal(fs.resolve('passwd-link'), undefined);
      assert.equal(fs.resolve('rel-ok'), 'etc/os-release');
      assert.equal(fs.read('usr/lib/os-release')?.path, 'etc/os-release');
      assert.equal(inventory.os?.id, 'alpine');
    });
  });

  it('symlink loops on claimed paths end without a hang and without an OS', { timeout: HANG_MS }, async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: [
        {
          entries: [
            dir('etc'),
            symlink('etc/os-release', '../usr/lib/os-release'),
            dir('usr'),
            dir('usr/lib'),
            symlink('usr/lib/os-release', '/etc/os-release'),
            dir('lib'),
            dir('lib/apk'),
            dir('lib/apk/db'),
            symlink('lib/apk/db/installed', 'installed'),
          ],
        },
      ],
    });
    await ws.guard(async () => {
      const { fs, inventory } = await inventoryImage(img.ref);
      assert.equal(fs.resolve('etc/os-release'), undefined);
      assert.equal(inventory.os, undefined);
      assert.deepEqual(inventory.packages, []);
    });
  });
});

describe('the outer archive', () => {
  it('an archive entry named ../x -> UNSAFE_PATH naming the archive', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files) => void files.set(`../${marker}`, Buffer.from('x')),
    });
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', [img.path, `../${marker}`]);
    }, [marker]);
  });

  it('an archive symlink climbing out of the archive -> UNSAFE_PATH', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker-legacy',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files, { layerPaths }) => void files.set(layerPaths[0]!, { symlink: `../../${marker}/layer.tar` }),
    });
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', [img.path, 'escapes the image root']), [marker]);
  });

  it('names full of terminal escapes and line breaks come back as one clean line', async () => {
    const img = await hostileLayer('oci-archive', [file(`evil\r\u001b[2K\u001b]0;pwned\u0007/../../${marker}`, 'x')]);
    const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', ['layer 1 of', '\\x1b[2K']), [marker]);
    assert.ok(!err.message.includes('\u001b'));
  });

  it('an absolute archive entry -> UNSAFE_PATH', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files) => void files.set(`/tmp/${marker}`, Buffer.from('x')),
    });
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'UNSAFE_PATH', [img.path, `/tmp/${marker}`]);
    }, [marker]);
  });

  it('a manifest.json naming layers outside the archive reads nothing from the host -> MISSING_BLOB', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker-legacy',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files) => {
        const m = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Layers: string[] }>;
        m[0]!.Layers = ['../../../../../../etc/passwd'];
        files.set('manifest.json', Buffer.from(JSON.stringify(m)));
      },
    });
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'MISSING_BLOB', ['layer 0 of', img.path, 'etc/passwd']);
    });
  });

  it('a layer blob that is a symlink to a host file is not followed -> MISSING_BLOB', async () => {
    const img = await buildImage(ws.caseDir(), {
      layout: 'oci-archive',
      layers: [{ entries: minimalRootfs() }],
      tamper: (files, { layers }) => void files.set(`blobs/sha256/${layers[0]!.digest.slice(7)}`, { symlink: '/etc/passwd' }),
    });
    await ws.guard(async () => {
      await expectCavasError(inventoryImage(img.ref), 'MISSING_BLOB', ['layer 0 of', img.path]);
    });
  });
});
