/**
 * Malformed package databases inside otherwise valid images. The extractors are
 * strict by design (src/extract/extractor.ts: a database that cannot be parsed
 * throws rather than yielding a partial, silently wrong inventory), so each case
 * is a one-line BAD_PACKAGE_DB naming the file and line; oversized files are
 * skipped with a warning instead of being read.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { inventoryImage } from '../../src/inventory.js';
import { buildImage, debianRootfs, dir, file, minimalRootfs, type EntrySpec, type Layout } from '../fixtures/hostile-images.js';
import { expectCavasError, Workspace } from './hostile-helpers.js';

const ws = new Workspace('pkgdb');
after(() => ws.cleanup());

const MiB = 1024 * 1024;
const STATUS = 'var/lib/dpkg/status';
const APK = 'lib/apk/db/installed';
const stanza = (name: string, version: string, extra = '') =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: test\n\n`;

async function image(entries: EntrySpec[], layout: Layout = 'oci-archive') {
  return buildImage(ws.caseDir(), { layout, layers: [{ entries }] });
}

function garbage(): Buffer {
  // random bytes, with a NUL guaranteed early so the outcome does not depend on the draw
  const b = randomBytes(8192);
  b[3] = 0;
  return b;
}

describe('dpkg status', () => {
  const bad: Array<[string, () => string | Buffer, RegExp]> = [
    ['binary garbage', garbage, /line \d+: binary data/],
    ['a stanza without Package', () => stanza('libc6', '2.36-9') + 'Version: 1.0\nArchitecture: amd64\n\n', /line 7: stanza has no Package field/],
    ['a stanza without Version', () => 'Package: libc6\nStatus: install ok installed\n\n', /no Version field/],
    ['a bad Status', () => 'Package: libc6\nStatus: maybe\nVersion: 1\n\n', /bad Status/],
    ['a 16 MiB line that is no field', () => stanza('libc6', '2.36-9') + 'x'.repeat(16 * MiB) + '\n', /line 7: expected "Field: value", got "x{40}\.\.\."/],
    ['a continuation line before any field', () => ' orphan\n' + stanza('libc6', '2.36-9'), /line 1: continuation line/],
    ['escape sequences and a NUL in a field', () => 'Package: lib\u001b[2Kc6\u0000\nVersion: 1\n\n', /binary data \(control byte 0x1b\)/],
  ];
  for (const [label, make, why] of bad) {
    it(`${label} -> BAD_PACKAGE_DB naming the file and line`, { timeout: 20_000 }, async () => {
      const img = await image(debianRootfs(make()));
      const started = Date.now();
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_PACKAGE_DB', [STATUS, 'line']));
      assert.match(err.message, why);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });
  }

  it('a 16 MiB Description value is just long: the packages are read', { timeout: 20_000 }, async () => {
    const text = stanza('libc6', '2.36-9', `Homepage: https://example.org/${'y'.repeat(16 * MiB)}\n`) + stanza('zlib1g', '1:1.2.13');
    const img = await image(debianRootfs(text));
    const { inventory } = await ws.guard(() => inventoryImage(img.ref));
    assert.deepEqual(inventory.packages.map((p) => p.name), ['libc6', 'zlib1g']);
  });

  it('an empty status file means no packages, not an error', async () => {
    const img = await image(debianRootfs(''));
    const { inventory, warnings } = await ws.guard(() => inventoryImage(img.ref));
    assert.deepEqual(inventory.packages, []);
    assert.deepEqual(warnings, []);
    assert.equal(inventory.os?.id, 'debian');
  });

  it('a status file over the 64 MiB claim limit is not read: a warning names it, no packages, no error', { timeout: 20_000 }, async () => {
    const big = Buffer.alloc(64 * MiB + 1, 'a');
    big.write(stanza('libc6', '2.36-9'));
    const img = await image(debianRootfs(big), 'oci-dir');
    const { inventory, warnings } = await ws.guard(() => inventoryImage(img.ref));
    assert.deepEqual(inventory.packages, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`${STATUS} is ${64 * MiB + 1} bytes, over the dpkg limit`));
    assert.doesNotMatch(warnings[0]!, /[\r\n]/);
  });

  it('distroless status.d: a garbage stanza file -> BAD_PACKAGE_DB naming that file', async () => {
    const img = await image([
      ...debianRootfs(''),
      dir('var/lib/dpkg/status.d'),
      file('var/lib/dpkg/status.d/libc6', stanza('libc6', '2.36-9')),
      file('var/lib/dpkg/status.d/evil', 'this is not a stanza\n'),
    ]);
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_PACKAGE_DB', ['var/lib/dpkg/status.d/evil', 'line 1']));
  });

  it(
    'garbage in an older status version that a later layer replaced does not fail the image',
    async () => {
      const img = await buildImage(ws.caseDir(), {
        layout: 'oci-archive',
        layers: [{ entries: debianRootfs(garbage()) }, { entries: [file(STATUS, stanza('libc6', '2.36-9'))] }],
      });
      const { inventory, warnings } = await inventoryImage(img.ref);
      assert.deepEqual(inventory.packages.map((p) => p.name), ['libc6']);
      assert.equal(inventory.packages[0]?.layer, 1);
      assert.ok(warnings.some((w) => /older var\/lib\/dpkg\/status/.test(w)), warnings.join('; '));
    },
  );
});

describe('apk installed db', () => {
  const apk = (db: string | Buffer): EntrySpec[] => minimalRootfs().map((e) => (e.type === 'file' && e.path === APK ? file(APK, db) : e));
  const bad: Array<[string, () => string | Buffer, RegExp]> = [
    ['binary garbage', garbage, /line \d+: binary data/],
    ['plain text', () => 'hello world\nthis is not apk\n', /line 1: expected "X:value"/],
    ['a record without P:', () => 'P:musl\nV:1.2.3-r3\n\nV:2.0\nA:x86_64\n\n', /line 4: record has no P:/],
    ['two records run together', () => 'P:musl\nV:1.2.3-r3\nP:busybox\nV:1.35.0-r17\n\n', /second P: line/],
    ['a 16 MiB line that is no field', () => 'P:musl\nV:1\n' + 'z'.repeat(16 * MiB) + '\n', /line 3: expected "X:value", got "z{40}\.\.\."/],
  ];
  for (const [label, make, why] of bad) {
    it(`${label} -> BAD_PACKAGE_DB naming the file and line`, { timeout: 20_000 }, async () => {
      const img = await image(apk(make()));
      const started = Date.now();
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_PACKAGE_DB', [APK, 'line']));
      assert.match(err.message, why);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });
  }

  it('an apk db that is a directory is not a db: no packages, no error', async () => {
    const img = await image(minimalRootfs().map((e) => (e.type === 'file' && e.path === APK ? dir(APK) : e)));
    const { inventory } = await ws.guard(() => inventoryImage(img.ref));
    assert.deepEqual(inventory.packages, []);
    assert.equal(inventory.os?.id, 'alpine');
  });
});

describe('os-release', () => {
  it('binary garbage in etc/os-release -> BAD_PACKAGE_DB naming it', async () => {
    const img = await image(minimalRootfs().map((e) => (e.type === 'file' && e.path === 'etc/os-release' ? file('etc/os-release', garbage()) : e)));
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_PACKAGE_DB', ['etc/os-release', 'binary data']));
  });
});
