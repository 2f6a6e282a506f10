import { CavasError } from '../../util/errors.js';
import { readArchive, sha256, type ArchiveEntry, type ArchivePass } from '../archive.js';
import { assembleImage } from '../assemble.js';
import { parseImageConfig, parseJson } from '../config.js';
import type { LayerBlobResult } from '../layer-blob.js';
import { selectManifest, type BlobReader, type Descriptor } from '../oci-layout.js';
import { platformMatches, formatPlatform } from '../platform.js';
import type { ImageSource, LoadedImage, SourceOptions } from '../source.js';
import { splitPathAndRef } from './target.js';

type Layout = 'docker' | 'oci' | 'auto';

/** One reader for both archive kinds: they differ only in which metadata file names the image. */
function archiveSource(transport: string, layout: Layout): ImageSource {
  return {
    transport,
    async load(target, ref, opts) {
      const { path, imageRef } = await splitPathAndRef(target);
      const name = ref;
      const pass = await readArchive(path, name, opts.claims, opts.limits, opts.scanners);
      const useDocker = layout === 'docker' || (layout === 'auto' && pass.entries.has('manifest.json'));
      if (useDocker) {
        if (!pass.entries.has('manifest.json')) throw new CavasError('BAD_IMAGE', `${name}: no manifest.json: not a docker-archive (try oci-archive:)`);
        return loadDocker(pass, name, ref, transport, imageRef, opts);
      }
      if (!pass.entries.has('index.json')) {
        throw new CavasError('BAD_IMAGE', `${name}: neither manifest.json nor index.json found: not an image archive`);
      }
      return loadOci(pass, name, ref, transport, imageRef, opts);
    },
  };
}

export const dockerArchiveSource = archiveSource('docker-archive', 'docker');
export const ociArchiveSource = archiveSource('oci-archive', 'oci');
export const autoArchiveSource = archiveSource('archive', 'auto');

function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

function entryOrThrow(pass: ArchivePass, path: string, what: string): ArchiveEntry {
  const e = pass.entries.get(path);
  if (!e) throw new CavasError('MISSING_BLOB', `${what}: ${path} is missing from the archive`);
  return e;
}

function layerResult(entry: ArchiveEntry, where: string): LayerBlobResult {
  if (entry.layerError) {
    // the walker names the archive entry; the user wants the layer number first
    const reason = entry.layerError.message.startsWith(entry.path + ': ') ? entry.layerError.message.slice(entry.path.length + 2) : entry.layerError.message;
    throw new CavasError(entry.layerError.code, `${where} (${entry.path}): ${reason}`);
  }
  if (!entry.layer) throw new CavasError('BAD_LAYER', `${where}: ${entry.path} is not a layer tar (gzip, zstd or plain tar)`);
  return entry.layer;
}

function passReader(pass: ArchivePass): BlobReader {
  return {
    async readSmall(desc: Descriptor, what: string) {
      const e = entryOrThrow(pass, blobPath(desc.digest), what);
      if (!e.data) throw new CavasError('BAD_IMAGE', `${what}: blob too large for a manifest or config`);
      if (e.digest !== desc.digest) throw new CavasError('DIGEST_MISMATCH', `${what}: digest mismatch (want ${desc.digest}, got ${e.digest})`);
      if (e.size !== desc.size) throw new CavasError('DIGEST_MISMATCH', `${what}: size mismatch (want ${desc.size}, got ${e.size})`);
      return e.data;
    },
  };
}

async function loadOci(pass: ArchivePass, name: string, ref: string, transport: string, imageRef: string | undefined, opts: SourceOptions): Promise<LoadedImage> {
  const index = entryOrThrow(pass, 'index.json', name);
  const reader = passReader(pass);
  const selected = await selectManifest(index.data ?? Buffer.alloc(0), reader, {
    name,
    ref: imageRef,
    platform: opts.platform,
    platformExplicit: opts.platformExplicit,
  });
  const configData = await reader.readSmall(selected.manifest.config, `${name}: config`);
  const config = parseImageConfig(configData, `${name}: config ${selected.manifest.config.digest}`);
  const layers = selected.manifest.layers.map((desc, i) => {
    const where = `layer ${i} of ${name}`;
    const entry = entryOrThrow(pass, blobPath(desc.digest), where);
    return { result: layerResult(entry, where), expectDigest: desc.digest, expectSize: desc.size };
  });
  return assembleImage({
    ref,
    transport,
    name,
    tags: selected.tags,
    manifestDigest: selected.manifestDigest,
    configDigest: selected.manifest.config.digest,
    config,
    layers,
  });
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export async function loadDocker(pass: ArchivePass, name: string, ref: string, transport: string, imageRef: string | undefined, opts: SourceOptions): Promise<LoadedImage> {
  const raw = parseJson(entryOrThrow(pass, 'manifest.json', name).data ?? Buffer.alloc(0), `${name}: manifest.json`);
  if (!Array.isArray(raw) || raw.length === 0) throw new CavasError('BAD_IMAGE', `${name}: manifest.json lists no images`);
  const images = raw.map((m, i) => {
    const e = m as DockerManifestEntry;
    if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || e.Layers.some((l) => typeof l !== 'string')) {
      throw new CavasError('BAD_IMAGE', `${name}: manifest.json entry ${i} lacks Config or Layers`);
    }
    return e;
  });
  let chosen: DockerManifestEntry;
  if (imageRef) {
    const hit = images.find((m) => (m.RepoTags ?? []).some((t) => t === imageRef || t.endsWith('/' + imageRef)));
    if (!hit) throw new CavasError('NOT_FOUND', `${name}: no image tagged "${imageRef}" (the archive has: ${images.flatMap((m) => m.RepoTags ?? []).join(', ') || 'no tags'})`);
    chosen = hit;
  } else if (images.length === 1) chosen = images[0]!;
  else throw new CavasError('BAD_IMAGE', `${name}: holds ${images.length} images; name one with :REPO:TAG (${images.flatMap((m) => m.RepoTags ?? []).join(', ')})`);

  const configEntry = entryOrThrow(pass, chosen.Config, `${name}: config`);
  const configDigest = configEntry.digest ?? sha256(configEntry.data ?? Buffer.alloc(0));
  const namedHex = /([0-9a-f]{64})(\.json)?$/.exec(chosen.Config)?.[1];
  if (namedHex && `sha256:${namedHex}` !== configDigest) {
    throw new CavasError('DIGEST_MISMATCH', `${name}: config ${chosen.Config}: digest mismatch (got ${configDigest})`);
  }
  const config = parseImageConfig(configEntry.data ?? Buffer.alloc(0), `${name}: config`);
  const platform = { os: config.os ?? 'linux', architecture: config.architecture ?? 'unknown', variant: config.variant };
  if (opts.platformExplicit && !platformMatches(opts.platform, platform)) {
    throw new CavasError('PLATFORM_NOT_FOUND', `${name}: image is ${formatPlatform(platform)}, not ${formatPlatform(opts.platform)}`);
  }
  const layers = chosen.Layers.map((p, i) => {
    const where = `layer ${i} of ${name}`;
    const entry = entryOrThrow(pass, p, where);
    const hex = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(p)?.[1];
    return { result: layerResult(entry, where), expectDigest: hex ? `sha256:${hex}` : undefined };
  });
  const manifestDigest = dockerManifestDigest(pass);
  return assembleImage({
    ref,
    transport,
    name,
    tags: chosen.RepoTags ?? [],
    manifestDigest,
    configDigest,
    config,
    layers,
  });
}

/** Docker >= 25 archives also carry an OCI index naming the manifest digest; older ones have none. */
function dockerManifestDigest(pass: ArchivePass): string | undefined {
  const index = pass.entries.get('index.json');
  if (!index?.data) return undefined;
  try {
    const doc = JSON.parse(index.data.toString('utf8')) as { manifests?: Array<{ digest?: string }> };
    const d = doc.manifests?.[0]?.digest;
    return typeof d === 'string' && pass.entries.get(blobPath(d))?.digest === d ? d : undefined;
  } catch {
    return undefined;
  }
}
