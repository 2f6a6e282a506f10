import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CavasError, describeError } from '../../util/errors.js';
import { sha256 } from '../archive.js';
import { assembleImage } from '../assemble.js';
import { parseImageConfig } from '../config.js';
import { analyzeLayerBlob } from '../layer-blob.js';
import { selectManifest, type BlobReader, type Descriptor } from '../oci-layout.js';
import type { ImageSource } from '../source.js';
import { splitPathAndRef } from './target.js';

const MAX_SMALL_BLOB = 16 * 1024 * 1024;

function blobFile(dir: string, digest: string): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return join(dir, 'blobs', alg, hex);
}

/**
 * Read a small file of the layout, refusing anything but a regular file and
 * never more than `max` bytes: a layout unpacked from an untrusted tar may hold
 * a symlink to /dev/zero or a FIFO, which would otherwise hang or fill memory.
 */
async function readSmallFile(file: string, max: number, what: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new CavasError('BAD_IMAGE', `${what}: ${file} is not a regular file`);
    if (st.size > max) throw new CavasError('LIMIT_EXCEEDED', `${what}: ${file} is ${st.size} bytes, too large for a manifest or config`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** An OCI image layout directory: blobs are files, so only the chosen image's layers are read. */
export const ociDirSource: ImageSource = {
  transport: 'oci',
  async load(target, ref, opts) {
    const { path: dir, imageRef } = await splitPathAndRef(target);
    const name = ref;
    let indexData: Buffer;
    try {
      indexData = await readSmallFile(join(dir, 'index.json'), MAX_SMALL_BLOB, name);
    } catch (e) {
      if (e instanceof CavasError) throw e;
      throw new CavasError('NOT_FOUND', `${name}: no readable index.json in ${dir} (${describeError(e)})`);
    }
    const reader: BlobReader = {
      async readSmall(desc: Descriptor, what: string) {
        if (desc.size > MAX_SMALL_BLOB) throw new CavasError('LIMIT_EXCEEDED', `${what}: ${desc.size} bytes is too large for a manifest or config`);
        let data: Buffer;
        try {
          data = await readSmallFile(blobFile(dir, desc.digest), MAX_SMALL_BLOB, what);
        } catch (e) {
          if (e instanceof CavasError) throw e;
          throw new CavasError('MISSING_BLOB', `${what}: blob ${desc.digest} is missing from ${dir}`);
        }
        const got = sha256(data);
        if (got !== desc.digest) throw new CavasError('DIGEST_MISMATCH', `${what}: digest mismatch (want ${desc.digest}, got ${got})`);
        return data;
      },
    };
    const selected = await selectManifest(indexData, reader, { name, ref: imageRef, platform: opts.platform, platformExplicit: opts.platformExplicit });
    const config = parseImageConfig(await reader.readSmall(selected.manifest.config, `${name}: config`), `${name}: config`);
    const layers = [];
    for (const [i, desc] of selected.manifest.layers.entries()) {
      const where = `layer ${i} of ${name}`;
      const file = blobFile(dir, desc.digest);
      let st;
      try {
        st = await stat(file);
      } catch {
        throw new CavasError('MISSING_BLOB', `${where}: blob ${desc.digest} is missing from ${dir}`);
      }
      // a device or FIFO never ends: refuse it instead of reading forever
      if (!st.isFile()) throw new CavasError('BAD_IMAGE', `${where}: blob ${desc.digest} in ${dir} is not a regular file`);
      const result = await analyzeLayerBlob(createReadStream(file), { where, claims: opts.claims, scanners: opts.scanners, limits: opts.limits });
      layers.push({ result, expectDigest: desc.digest, expectSize: desc.size });
    }
    return assembleImage({
      ref,
      transport: 'oci',
      name,
      tags: selected.tags,
      manifestDigest: selected.manifestDigest,
      configDigest: selected.manifest.config.digest,
      config,
      layers,
    });
  },
};
