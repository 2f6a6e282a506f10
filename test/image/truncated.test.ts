/**
 * Real corpus archives cut short at many points (inside a tar header, inside a
 * layer, inside gzip data): each read ends with a one-line BAD_IMAGE naming the
 * file, quickly, never with a hang or a stack trace.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { inventoryImage } from '../../src/inventory.js';
import { alpineBaseLayer, buildImage, CORPUS_ALPINE_DOCKER, CORPUS_ALPINE_OCI, minimalRootfs } from '../fixtures/hostile-images.js';
import { expectCavasError, HANG_MS, IMAGES, Workspace } from './hostile-helpers.js';

const ws = new Workspace('truncated');
after(() => ws.cleanup());

interface TarMember {
  name: string;
  header: number;
  data: number;
  size: number;
}

/** Where each member of an uncompressed tar sits (pax headers count as members). */
function tarMembers(tar: Buffer): TarMember[] {
  const out: TarMember[] = [];
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.toString('latin1', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    out.push({ name, header: off, data: off + 512, size });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function member(members: TarMember[], pred: (name: string) => boolean): TarMember {
  const m = members.find((x) => pred(x.name));
  assert.ok(m, 'corpus archive changed: member not found');
  return m;
}

let oci: Buffer;
let dockerGz: Buffer;
let dockerTar: Buffer;
before(() => {
  oci = readFileSync(join(IMAGES, CORPUS_ALPINE_OCI));
  dockerGz = readFileSync(join(IMAGES, CORPUS_ALPINE_DOCKER));
  dockerTar = gunzipSync(dockerGz);
});

function cut(name: string, data: Buffer, at: number): string {
  const path = join(ws.caseDir(), name);
  writeFileSync(path, data.subarray(0, at));
  return path;
}

describe('truncated alpine oci-archive (uncompressed tar, gzip layer)', () => {
  const cases: Array<[string, (m: TarMember[]) => number]> = [
    ['inside the first tar header', () => 100],
    ['inside the manifest blob header', (m) => member(m, (n) => n.startsWith('blobs/sha256/6566')).header + 200],
    ['inside the layer blob header', (m) => member(m, (n) => n.startsWith('blobs/sha256/c378')).header + 300],
    ['inside the layer gzip header', (m) => member(m, (n) => n.startsWith('blobs/sha256/c378')).data + 5],
    ['in the middle of the layer', (m) => { const l = member(m, (n) => n.startsWith('blobs/sha256/c378')); return l.data + Math.floor(l.size / 2); }],
    ['inside the layer gzip trailer', (m) => { const l = member(m, (n) => n.startsWith('blobs/sha256/c378')); return l.data + l.size - 4; }],
    ['inside the index.json header', (m) => member(m, (n) => n === 'index.json').header + 10],
    ['inside index.json', (m) => member(m, (n) => n === 'index.json').data + 100],
  ];
  for (const [label, offset] of cases) {
    it(`cut ${label} -> BAD_IMAGE`, { timeout: HANG_MS }, async () => {
      const path = cut('alpine.oci.tar', oci, offset(tarMembers(oci)));
      await ws.guard(() => expectCavasError(inventoryImage(`oci-archive:${path}`), 'BAD_IMAGE', [path]));
    });
  }

  it('cut at a member boundary before the index: nothing names the image -> BAD_IMAGE', async () => {
    const path = cut('alpine.oci.tar', oci, member(tarMembers(oci), (n) => n === 'index.json').header);
    await ws.guard(() => expectCavasError(inventoryImage(`oci-archive:${path}`), 'BAD_IMAGE', [path, 'index.json']));
  });

  it('only the end-of-archive blocks missing: every byte of the image is there, so it reads (as tar does)', async () => {
    const last = tarMembers(oci).at(-1)!;
    const path = cut('alpine.oci.tar', oci, last.data + Math.ceil(last.size / 512) * 512);
    const { inventory } = await ws.guard(() => inventoryImage(`oci-archive:${path}`));
    assert.equal(inventory.packages.length, 14);
  });
});

describe('truncated alpine docker-archive (legacy layout)', () => {
  for (const at of [5, 10, 2000, 100_000, 'half', 'trailer'] as const) {
    it(`gzip-compressed archive cut at ${at} -> BAD_IMAGE`, { timeout: HANG_MS }, async () => {
      const n = at === 'half' ? Math.floor(dockerGz.length / 2) : at === 'trailer' ? dockerGz.length - 4 : at;
      const path = cut('alpine.docker.tar.gz', dockerGz, n);
      const err = await ws.guard(() => expectCavasError(inventoryImage(`docker-archive:${path}`), 'BAD_IMAGE', [path]));
      assert.match(err.message, /gzip/);
    });
  }

  const plainCases: Array<[string, (m: TarMember[]) => number]> = [
    ['inside the layer.tar header', (m) => member(m, (n) => n.endsWith('/layer.tar')).header + 124],
    ['inside a header of the layer tar itself', (m) => member(m, (n) => n.endsWith('/layer.tar')).data + 512 * 3 + 17],
    ['in the middle of the layer', (m) => { const l = member(m, (n) => n.endsWith('/layer.tar')); return l.data + Math.floor(l.size / 2); }],
    ['inside manifest.json', (m) => member(m, (n) => n === 'manifest.json').data + 50],
  ];
  for (const [label, offset] of plainCases) {
    it(`uncompressed archive cut ${label} -> BAD_IMAGE`, { timeout: HANG_MS }, async () => {
      const path = cut('alpine.docker.tar', dockerTar, offset(tarMembers(dockerTar)));
      await ws.guard(() => expectCavasError(inventoryImage(`docker-archive:${path}`), 'BAD_IMAGE', [path]));
    });
  }
});

describe('a truncated layer blob inside an intact image', () => {
  for (const layout of ['oci-archive', 'oci-dir', 'docker'] as const) {
    it(`${layout}: gzip layer cut in half -> BAD_LAYER naming the layer`, { timeout: HANG_MS }, async () => {
      const base = await alpineBaseLayer(IMAGES);
      const img = await buildImage(ws.caseDir(), {
        layout,
        layers: [{ entries: minimalRootfs() }, { tar: base.tar, gzip: base.gzip, compression: 'gzip' }],
        tamper: (files, { layers }) => {
          const p = `blobs/sha256/${layers[1]!.digest.slice(7)}`;
          files.set(p, layers[1]!.stored.subarray(0, layers[1]!.stored.length >> 1));
        },
      });
      const err = await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_LAYER', ['layer 1 of', img.path]));
      assert.match(err.message, /truncated|corrupt/);
    });
  }

  it('docker-legacy: plain layer.tar cut inside an entry -> BAD_LAYER naming the layer', { timeout: HANG_MS }, async () => {
    const base = await alpineBaseLayer(IMAGES);
    const img = await buildImage(ws.caseDir(), {
      layout: 'docker-legacy',
      layers: [{ tar: base.tar }],
      tamper: (files) => {
        const p = [...files.keys()].find((k) => k.endsWith('/layer.tar'))!;
        const tar = files.get(p) as Buffer;
        files.set(p, tar.subarray(0, Math.floor(tar.length / 2) + 7));
      },
    });
    await ws.guard(() => expectCavasError(inventoryImage(img.ref), 'BAD_LAYER', ['layer 0 of', img.path]));
  });
});
