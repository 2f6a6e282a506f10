import type { Platform } from '../types.js';
import { CavasError } from '../util/errors.js';
import { parseJson } from './config.js';
import { formatPlatform, platformMatches } from './platform.js';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Where blobs come from: a tar read in one pass, a directory, a registry. */
export interface BlobReader {
  /** A small JSON blob (manifest, index, config), digest- and size-checked. */
  readSmall(desc: Descriptor, what: string): Promise<Buffer>;
}

export interface SelectedManifest {
  manifestDigest: string;
  manifest: ImageManifest;
  tags: string[];
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const MAX_INDEX_DEPTH = 4;

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function checkDescriptor(d: unknown, what: string): Descriptor {
  const desc = d as Descriptor;
  if (!desc || typeof desc !== 'object' || typeof desc.digest !== 'string' || typeof desc.size !== 'number') {
    throw new CavasError('BAD_IMAGE', `${what}: descriptor lacks digest or size`);
  }
  if (!DIGEST_RE.test(desc.digest)) throw new CavasError('BAD_IMAGE', `${what}: unsupported or malformed digest "${String(desc.digest).slice(0, 80)}"`);
  if (!Number.isSafeInteger(desc.size) || desc.size < 0) throw new CavasError('BAD_IMAGE', `${what}: invalid size ${desc.size}`);
  return desc;
}

function isIndex(doc: Record<string, unknown>): boolean {
  return Array.isArray(doc.manifests);
}

function tagsOf(desc: Descriptor): string[] {
  const a = desc.annotations ?? {};
  return [a[CONTAINERD_NAME], a[REF_NAME]].filter((t): t is string => typeof t === 'string' && t !== '');
}

/**
 * Pick one image manifest from an OCI index.json: by ref name when one is given,
 * then down through nested indexes by platform.
 */
export async function selectManifest(
  indexData: Buffer,
  reader: BlobReader,
  opts: { name: string; ref?: string; platform: Platform; platformExplicit: boolean },
): Promise<SelectedManifest> {
  const top = parseJson(indexData, `${opts.name}: index.json`) as Record<string, unknown>;
  if (!top || typeof top !== 'object' || !isIndex(top)) throw new CavasError('BAD_IMAGE', `${opts.name}: index.json has no manifests list`);
  let candidates = (top.manifests as unknown[]).map((d, i) => checkDescriptor(d, `${opts.name}: index.json manifests[${i}]`));
  if (candidates.length === 0) throw new CavasError('BAD_IMAGE', `${opts.name}: index.json lists no images`);
  if (opts.ref) {
    const ref = opts.ref;
    const hits = candidates.filter((d) => tagsOf(d).some((t) => t === ref || t.endsWith(':' + ref) || t.endsWith('/' + ref)));
    if (hits.length === 0) {
      const known = candidates.flatMap(tagsOf).join(', ') || 'none';
      throw new CavasError('NOT_FOUND', `${opts.name}: no image named "${ref}" (the archive has: ${known})`);
    }
    candidates = hits;
  }
  const tags = [...new Set(candidates.flatMap(tagsOf))];
  return descend(candidates, reader, opts, tags, 0);
}

async function descend(
  candidates: Descriptor[],
  reader: BlobReader,
  opts: { name: string; platform: Platform; platformExplicit: boolean },
  tags: string[],
  depth: number,
): Promise<SelectedManifest> {
  if (depth > MAX_INDEX_DEPTH) throw new CavasError('BAD_IMAGE', `${opts.name}: image indexes nested more than ${MAX_INDEX_DEPTH} deep`);
  let chosen: Descriptor | undefined;
  if (candidates.length === 1 && !candidates[0]!.platform) chosen = candidates[0];
  else {
    const withPlatform = candidates.filter((d) => d.platform);
    chosen = withPlatform.find((d) => platformMatches(opts.platform, d.platform!));
    if (!chosen && candidates.length === 1 && !opts.platformExplicit) chosen = candidates[0];
    if (!chosen) {
      const have = withPlatform.map((d) => formatPlatform({ os: d.platform!.os ?? 'linux', architecture: d.platform!.architecture ?? '?', variant: d.platform!.variant })).join(', ');
      if (withPlatform.length === 0) {
        throw new CavasError('BAD_IMAGE', `${opts.name}: holds ${candidates.length} images; name one with :REF (${candidates.flatMap(tagsOf).join(', ') || 'no names given'})`);
      }
      throw new CavasError('PLATFORM_NOT_FOUND', `${opts.name}: no image for platform ${formatPlatform(opts.platform)} (available: ${have}); use --platform`);
    }
  }
  const picked: Descriptor = chosen!;
  const data = await reader.readSmall(picked, `${opts.name}: manifest ${picked.digest}`);
  const doc = parseJson(data, `${opts.name}: manifest ${picked.digest}`) as Record<string, unknown>;
  if (!doc || typeof doc !== 'object') throw new CavasError('BAD_IMAGE', `${opts.name}: manifest ${picked.digest} is not a JSON object`);
  if (isIndex(doc)) {
    const next = (doc.manifests as unknown[]).map((d, i) => checkDescriptor(d, `${opts.name}: index ${picked.digest} manifests[${i}]`));
    if (next.length === 0) throw new CavasError('BAD_IMAGE', `${opts.name}: image index ${picked.digest} is empty`);
    return descend(next, reader, opts, tags, depth + 1);
  }
  if (!Array.isArray(doc.layers) || !doc.config) throw new CavasError('BAD_IMAGE', `${opts.name}: manifest ${picked.digest} has no config or layers`);
  const manifest: ImageManifest = {
    mediaType: typeof doc.mediaType === 'string' ? doc.mediaType : picked.mediaType,
    config: checkDescriptor(doc.config, `${opts.name}: manifest config`),
    layers: (doc.layers as unknown[]).map((d, i) => checkDescriptor(d, `${opts.name}: manifest layers[${i}]`)),
  };
  return { manifestDigest: picked.digest, manifest, tags };
}
