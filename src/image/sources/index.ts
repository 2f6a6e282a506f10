import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CavasError } from '../../util/errors.js';
import type { ImageSource } from '../source.js';
import { autoArchiveSource, dockerArchiveSource, ociArchiveSource } from './archive.js';
import { dockerDaemonSource } from './docker-daemon.js';
import { ociDirSource } from './oci-dir.js';
import { registrySource } from './registry.js';
import { rootfsDirSource } from './rootfs-dir.js';

/** Transports by their skopeo-style prefix. A new source is one line here. */
const sources: ImageSource[] = [dockerArchiveSource, ociArchiveSource, ociDirSource, rootfsDirSource, dockerDaemonSource, registrySource];

export interface ResolvedTarget {
  source: ImageSource;
  target: string;
}

/** Looks like `name[:tag][@digest]` with an optional registry host: worth trying a registry. */
const REFERENCE_LIKE = /^[a-z0-9][a-z0-9._:/-]*(?:@sha256:[0-9a-f]{64})?$/i;

/**
 * `transport:target`, or a plain path whose kind is detected from what is on disk, or
 * else an image reference pulled from its registry (as `docker` and `skopeo` read it).
 */
export async function resolveTarget(ref: string): Promise<ResolvedTarget> {
  const colon = ref.indexOf(':');
  if (colon > 0) {
    const prefix = ref.slice(0, colon);
    const source = sources.find((s) => s.transport === prefix);
    if (source) {
      const target = ref.slice(colon + 1);
      if (target === '') throw new CavasError('USAGE', `"${ref}": nothing after "${prefix}:"`);
      return { source, target };
    }
  }
  let st;
  try {
    st = await stat(ref);
  } catch {
    const pathLike = ref.startsWith('.') || ref.startsWith('/') || /\.(tar|tgz|gz|zst)$/.test(ref);
    if (!pathLike && REFERENCE_LIKE.test(ref)) return { source: registrySource, target: ref };
    const known = sources.map((s) => s.transport + ':').join(', ');
    throw new CavasError('NOT_FOUND', `"${ref}": no such file or directory (image references need a transport prefix: ${known})`);
  }
  if (st.isDirectory()) {
    const isLayout = await stat(join(ref, 'oci-layout')).then(() => true, () => false);
    return { source: isLayout ? ociDirSource : rootfsDirSource, target: ref };
  }
  return { source: autoArchiveSource, target: ref };
}

export { sources };
