/**
 * Whole images with real rpm databases: what inventoryImage lists, which layer
 * each package dates from, and how the three backends and both db directories
 * are found.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inventoryImage } from '../../../src/inventory.js';
import type { Package } from '../../../src/types.js';
import { CavasError } from '../../../src/util/errors.js';
import { buildImage, dir, file, symlink, whiteout, type EntrySpec } from '../../fixtures/hostile-images.js';
import { BASH, bdbFile, CURL, CURL_OLD, headersOf, ndbFile, NODEJS, OPENSSL, RpmWorkshop, sqlitePath, TZDATA } from './fixtures.js';

const ALMA_OS_RELEASE =
  'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"\n';

let tmp = '';
let caseNo = 0;
/** rpmdb.sqlite after the first transaction (openssl-libs, curl -19, libcurl -19, bash, tzdata, a key) and after the second (curl -23, nodejs). */
let db1: Buffer;
let db2: Buffer;

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cavas-rpmimg-'));
  const w = new RpmWorkshop(tmp);
  const root = path.join(tmp, 'root');
  w.install(root, [...w.build(OPENSSL), ...w.build(CURL_OLD), ...w.build(BASH), ...w.build(TZDATA)]);
  w.importKey(root);
  copyFileSync(sqlitePath(root), path.join(tmp, 'db1.sqlite'));
  w.install(root, [...w.build(CURL), ...w.build(NODEJS)], true);
  db1 = readFileSync(path.join(tmp, 'db1.sqlite'));
  db2 = readFileSync(sqlitePath(root));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function inventory(layers: EntrySpec[][]) {
  const dirPath = path.join(tmp, `case-${++caseNo}`);
  mkdirSync(dirPath);
  const img = await buildImage(dirPath, { layout: 'oci-archive', layers: layers.map((entries) => ({ entries })) });
  return inventoryImage(img.ref);
}

const rpms = (packages: Package[]): Package[] => packages.filter((p) => p.ecosystem === 'rpm').sort((a, b) => a.name.localeCompare(b.name));

const dirs = (...paths: string[]): EntrySpec[] => paths.map(dir);

function almaBase(db: Buffer): EntrySpec[] {
  return [
    ...dirs('etc', 'usr', 'usr/lib', 'var', 'var/lib', 'var/lib/rpm'),
    file('usr/lib/os-release', ALMA_OS_RELEASE),
    symlink('etc/os-release', '../usr/lib/os-release'),
    file('etc/almalinux-release', 'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n'),
    symlink('etc/redhat-release', 'almalinux-release'),
    symlink('etc/system-release', 'almalinux-release'),
    file('var/lib/rpm/rpmdb.sqlite', db),
    file('var/lib/rpm/rpmdb.sqlite-shm', Buffer.alloc(32768)),
    file('var/lib/rpm/rpmdb.sqlite-wal', ''),
  ];
}

describe('AlmaLinux 9 image, sqlite rpmdb written by rpm', () => {
  test('every installed rpm with exact EVR, arch, source rpm, license, layer and purl', async () => {
    const { inventory: inv, warnings } = await inventory([almaBase(db1), [file('var/lib/rpm/rpmdb.sqlite', db2)]]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(inv.os, {
      id: 'almalinux',
      version: '9.3',
      prettyName: 'AlmaLinux 9.3 (Shamrock Pampas Cat)',
      idLike: ['rhel', 'centos', 'fedora'],
    });
    const paths = ['var/lib/rpm/rpmdb.sqlite'];
    assert.deepEqual(rpms(inv.packages), [
      {
        ecosystem: 'rpm',
        name: 'bash',
        version: '5.1.8-5.el9',
        arch: 'x86_64',
        source: { name: 'bash', version: '5.1.8-5.el9' },
        license: 'GPLv3+',
        purl: 'pkg:rpm/almalinux/bash@5.1.8-5.el9?arch=x86_64&distro=almalinux-9.3',
        layer: 0,
        paths,
      },
      {
        ecosystem: 'rpm',
        name: 'curl',
        version: '7.76.1-23.el9',
        arch: 'x86_64',
        source: { name: 'curl', version: '7.76.1-23.el9' },
        license: 'MIT',
        purl: 'pkg:rpm/almalinux/curl@7.76.1-23.el9?arch=x86_64&distro=almalinux-9.3',
        layer: 1,
        paths,
      },
      {
        ecosystem: 'rpm',
        name: 'libcurl',
        version: '7.76.1-23.el9',
        arch: 'x86_64',
        source: { name: 'curl', version: '7.76.1-23.el9' },
        license: 'MIT',
        purl: 'pkg:rpm/almalinux/libcurl@7.76.1-23.el9?arch=x86_64&distro=almalinux-9.3',
        layer: 1,
        paths,
      },
      {
        ecosystem: 'rpm',
        name: 'nodejs',
        version: '1:18.12.1-1.module_el9.1.0+16+91bc168f',
        arch: 'x86_64',
        source: { name: 'nodejs', version: '1:18.12.1-1.module_el9.1.0+16+91bc168f' },
        license: 'MIT and ASL 2.0 and ISC and BSD',
        modularityLabel: 'nodejs:18:9010020221201143434:rhel9',
        purl: 'pkg:rpm/almalinux/nodejs@18.12.1-1.module_el9.1.0+16+91bc168f?arch=x86_64&distro=almalinux-9.3&epoch=1',
        layer: 1,
        paths,
      },
      {
        ecosystem: 'rpm',
        name: 'openssl-libs',
        version: '1:3.0.7-6.el9_2',
        arch: 'x86_64',
        source: { name: 'openssl', version: '1:3.0.7-6.el9_2' },
        license: 'ASL 2.0',
        purl: 'pkg:rpm/almalinux/openssl-libs@3.0.7-6.el9_2?arch=x86_64&distro=almalinux-9.3&epoch=1',
        layer: 0,
        paths,
      },
      {
        ecosystem: 'rpm',
        name: 'tzdata',
        version: '2023c-1.el9',
        arch: 'noarch',
        source: { name: 'tzdata', version: '2023c-1.el9' },
        license: 'Public Domain',
        purl: 'pkg:rpm/almalinux/tzdata@2023c-1.el9?arch=noarch&distro=almalinux-9.3',
        layer: 0,
        paths,
      },
    ]);
  });

  test('a damaged visible db is a one-line BAD_PACKAGE_DB naming it', async () => {
    const broken = Buffer.from(db2.subarray(0, 4096));
    await assert.rejects(inventory([almaBase(db1), [file('var/lib/rpm/rpmdb.sqlite', broken)]]), (e: unknown) => {
      assert.ok(e instanceof CavasError, String(e));
      assert.equal(e.code, 'BAD_PACKAGE_DB');
      assert.match(e.message, /^var\/lib\/rpm\/rpmdb\.sqlite: /);
      assert.doesNotMatch(e.message, /[\r\n]/);
      return true;
    });
  });

  test('a damaged older db is a warning; packages then date from the first readable version', async () => {
    const { inventory: inv, warnings } = await inventory([almaBase(Buffer.from('garbage')), [file('var/lib/rpm/rpmdb.sqlite', db2)]]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^layer 0: an older var\/lib\/rpm\/rpmdb\.sqlite \(replaced later\) could not be parsed: var\/lib\/rpm\/rpmdb\.sqlite: not an SQLite database$/);
    assert.deepEqual(new Set(rpms(inv.packages).map((p) => p.layer)), new Set([1]));
  });

  test('a non-empty WAL file is reported', async () => {
    const { warnings } = await inventory([[...almaBase(db2).filter((e) => e.path !== 'var/lib/rpm/rpmdb.sqlite-wal'), file('var/lib/rpm/rpmdb.sqlite-wal', 'x')]]);
    assert.deepEqual(warnings, ['var/lib/rpm/rpmdb.sqlite-wal is not empty: packages of rpm\'s last, uncheckpointed transaction may be missing']);
  });
});

describe('other backends and places', () => {
  test('CentOS 7: Berkeley DB Packages, then converted to sqlite; OS from the release files alone', async () => {
    const { inventory: inv, warnings } = await inventory([
      [
        ...dirs('etc', 'var', 'var/lib', 'var/lib/rpm'),
        file('etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)\n'),
        symlink('etc/redhat-release', 'centos-release'),
        symlink('etc/system-release', 'centos-release'),
        file('var/lib/rpm/Packages', bdbFile(tmp, headersOf(path.join(tmp, 'db1.sqlite')))),
      ],
      [whiteout('var/lib/rpm/Packages'), file('var/lib/rpm/rpmdb.sqlite', db2)],
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(inv.os, { id: 'centos', version: '7', prettyName: 'CentOS Linux release 7.9.2009 (Core)' });
    const got = rpms(inv.packages);
    assert.deepEqual(
      got.map((p) => [p.name, p.version, p.layer, p.purl]),
      [
        ['bash', '5.1.8-5.el9', 0, 'pkg:rpm/centos/bash@5.1.8-5.el9?arch=x86_64&distro=centos-7'],
        ['curl', '7.76.1-23.el9', 1, 'pkg:rpm/centos/curl@7.76.1-23.el9?arch=x86_64&distro=centos-7'],
        ['libcurl', '7.76.1-23.el9', 1, 'pkg:rpm/centos/libcurl@7.76.1-23.el9?arch=x86_64&distro=centos-7'],
        ['nodejs', '1:18.12.1-1.module_el9.1.0+16+91bc168f', 1, 'pkg:rpm/centos/nodejs@18.12.1-1.module_el9.1.0+16+91bc168f?arch=x86_64&distro=centos-7&epoch=1'],
        ['openssl-libs', '1:3.0.7-6.el9_2', 0, 'pkg:rpm/centos/openssl-libs@3.0.7-6.el9_2?arch=x86_64&distro=centos-7&epoch=1'],
        ['tzdata', '2023c-1.el9', 0, 'pkg:rpm/centos/tzdata@2023c-1.el9?arch=noarch&distro=centos-7'],
      ],
    );
    assert.deepEqual(new Set(got.map((p) => p.paths[0])), new Set(['var/lib/rpm/rpmdb.sqlite']));
  });

  test('SLES: ndb Packages.db under usr/lib/sysimage/rpm, var/lib/rpm a symlink to it: listed once', async () => {
    const { inventory: inv, warnings } = await inventory([
      [
        ...dirs('etc', 'usr', 'usr/lib', 'usr/lib/sysimage', 'usr/lib/sysimage/rpm', 'var', 'var/lib'),
        file('etc/os-release', 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\n'),
        symlink('var/lib/rpm', '../../usr/lib/sysimage/rpm'),
        file('usr/lib/sysimage/rpm/Packages.db', ndbFile(headersOf(sqlitePath(path.join(tmp, 'root'))))),
      ],
    ]);
    assert.deepEqual(warnings, []);
    const got = rpms(inv.packages);
    assert.deepEqual(got.map((p) => p.name), ['bash', 'curl', 'libcurl', 'nodejs', 'openssl-libs', 'tzdata']);
    assert.equal(got.find((p) => p.name === 'curl')?.purl, 'pkg:rpm/sles/curl@7.76.1-23.el9?arch=x86_64&distro=sles-15.5');
    for (const p of got) assert.deepEqual(p.paths, ['usr/lib/sysimage/rpm/Packages.db']);
  });

  test('two separate databases: the one written last is listed, the other named in a warning', async () => {
    const { inventory: inv, warnings } = await inventory([
      [...almaBase(db1), ...dirs('usr/lib/sysimage', 'usr/lib/sysimage/rpm'), file('usr/lib/sysimage/rpm/rpmdb.sqlite', db1)],
      [file('var/lib/rpm/rpmdb.sqlite', db2)],
    ]);
    assert.deepEqual(warnings, ['usr/lib/sysimage/rpm/rpmdb.sqlite: a second rpm database; only var/lib/rpm/rpmdb.sqlite, written later or preferred, is listed']);
    assert.equal(rpms(inv.packages).find((p) => p.name === 'curl')?.version, '7.76.1-23.el9');
  });

  test('no rpmdb, no rpm packages', async () => {
    const { inventory: inv } = await inventory([[...dirs('etc'), file('etc/os-release', ALMA_OS_RELEASE)]]);
    assert.deepEqual(rpms(inv.packages), []);
  });
});
