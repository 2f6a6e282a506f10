/**
 * Images pulled from a registry (OCI distribution API). Blobs are content addressed and
 * the manifest names them, so a layer already analysed under its digest is not fetched
 * again; the rest stream through the layer walker, a few at a time, never touching disk.
 */
import { LayerCache } from '../../cache/layer-cache.js';
import { RegistryClient } from '../../registry/client.js';
import { formatReference, parseReference, type ImageReference } from '../../registry/reference.js';
import { CavasError } from '../../util/errors.js';
import { assembleImage } from '../assemble.js';
import { parseImageConfig } from '../config.js';
import { LayerBlobReader, short, type LayerBlobResult } from '../layer-blob.js';
import { selectManifest, type BlobReader, type Descriptor } from '../oci-layout.js';
import type { ImageSource, SourceOptions } from '../source.js';

/** Parallel layer downloads: enough to fill a link, few enough to bound memory and connections. */
const PARALLEL_LAYERS = 3;
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export const registrySource: ImageSource = {
  transport: 'docker',
  async load(target, _ref, opts) {
    const reference = parseReference(target.replace(/^\/\//, ''));
    const name = formatReference(reference);
    const client = new RegistryClient({ ...opts.registry });
    const top = await client.getManifest(reference, reference.digest ?? reference.tag ?? 'latest');

    // a registry answers with one manifest or an index; a one-entry index lets the layout code choose
    const reader: BlobReader = {
      async readSmall(desc: Descriptor) {
        if (desc.digest === top.digest) return top.body;
        return (await client.getManifest(reference, desc.digest)).body;
      },
    };
    const index = Buffer.from(JSON.stringify({ manifests: [{ digest: top.digest, size: top.body.length, mediaType: top.mediaType }] }));
    const selected = await selectManifest(index, reader, { name, platform: opts.platform, platformExplicit: opts.platformExplicit });
    const configDesc = selected.manifest.config;
    if (configDesc.size > MAX_CONFIG_BYTES) throw new CavasError('LIMIT_EXCEEDED', `${name}: config of ${configDesc.size} bytes is too large`);
    const cache = opts.cacheDir ? new LayerCache(opts.cacheDir, opts.claims, opts.scanners) : undefined;
    let configData = cache?.getBlob(configDesc.digest);
    if (!configData) {
      configData = await client.getBlobBuffer(reference, configDesc.digest, MAX_CONFIG_BYTES);
      cache?.putBlob(configDesc.digest, configData);
    }
    const config = parseImageConfig(configData, `${name}: config`);

    const descs = selected.manifest.layers;
    const results = await mapLimit(descs, PARALLEL_LAYERS, (desc, i) => pullLayer(client, reference, desc, i, name, opts, cache));
    opts.progress?.finish();
    const tags = reference.tag ? [`${reference.registry}/${reference.repository}:${reference.tag}`] : [];
    return assembleImage({
      ref: name,
      transport: 'docker',
      name,
      tags,
      manifestDigest: selected.manifestDigest,
      configDigest: configDesc.digest,
      config,
      layers: results.map((result, i) => ({ result, expectDigest: descs[i]!.digest, expectSize: descs[i]!.size })),
    });
  },
};

async function pullLayer(
  client: RegistryClient,
  reference: ImageReference,
  desc: Descriptor,
  index: number,
  name: string,
  opts: SourceOptions,
  cache: LayerCache | undefined,
): Promise<LayerBlobResult> {
  opts.progress?.layer(index, desc.digest, desc.size);
  const cached = cache?.get(desc.digest);
  if (cached) {
    opts.progress?.done(index, 'cached');
    return cached;
  }
  const where = `layer ${index} (${short(desc.digest)}) of ${name}`;
  const reader = new LayerBlobReader({ where, claims: opts.claims, scanners: opts.scanners, limits: opts.limits });
  const chunks = (await client.getBlob(reference, desc.digest, desc.size))[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      try {
        await reader.write(next.value);
      } catch (e) {
        throw await preferDigestError(e, chunks);
      }
      opts.progress?.bytes(index, next.value.length);
    }
    const result = await reader.end();
    // the client checks the digest too; checking here keeps a bad blob out of the cache whatever the client does
    if (result.digest !== desc.digest) {
      throw new CavasError('DIGEST_MISMATCH', `${where}: digest mismatch (want ${short(desc.digest)}, got ${short(result.digest)})`);
    }
    cache?.put(result);
    opts.progress?.done(index, 'pulled');
    return result;
  } catch (e) {
    reader.destroy();
    throw e;
  }
}

/**
 * A blob that fails to walk may simply be corrupt in transit or storage: read it to the
 * end, where the client's digest check decides, and report the digest if it is wrong.
 */
async function preferDigestError(walkError: unknown, chunks: AsyncIterator<Buffer>): Promise<unknown> {
  try {
    for (;;) if ((await chunks.next()).done) break;
  } catch (e) {
    if (e instanceof CavasError && e.code === 'DIGEST_MISMATCH') return e;
  }
  return walkError;
}

/** Runs fn over items with at most `limit` in flight; the first failure rejects the whole. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
