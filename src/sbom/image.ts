/**
 * The ImageMeta of an SBOM scan. An SBOM describes an image without being it: there is no
 * config, no history and no layer blobs, so only what the document names is filled in
 * (digests, platform, the diff_ids its packages were found in) and the rest stays empty.
 */
import type { ImageMeta, LayerMeta, Platform } from '../types.js';
import { digest, str } from './json.js';
import { parsePurl } from './package.js';

export interface ImageFacts {
  /** The subject's name: a tag such as alpine:3.16, or whatever the tool called it. */
  name?: string;
  tags?: string[];
  configDigest?: string;
  manifestDigest?: string;
  /** os/architecture[/variant] */
  platform?: string;
  /** The subject's pkg:oci purl: its version is the manifest digest, its arch qualifier the platform's. */
  purl?: string;
}

function platformOf(text: string | undefined, purlArch: string | undefined): Platform {
  const [os = '', architecture = '', variant] = (text ?? '').split('/');
  const p: Platform = { os, architecture: architecture || purlArch || '' };
  if (variant) p.variant = variant;
  return p;
}

/**
 * Layers known only by the diff_ids packages name; the blob digest and size are not in an
 * SBOM. The index is the package's own layer number, so gaps are possible.
 */
function layersOf(diffIds: ReadonlyMap<number, string>): LayerMeta[] {
  return [...diffIds]
    .sort(([a], [b]) => a - b)
    .map(([index, diffId]) => ({ index, digest: '', diffId, size: 0 }));
}

export function sbomImage(ref: string, facts: ImageFacts, diffIds: ReadonlyMap<number, string>): ImageMeta {
  const purl = facts.purl ? parsePurl(facts.purl) : undefined;
  const fromPurl = purl?.type === 'oci' ? purl : undefined;
  const tags = [...new Set(facts.tags ?? (facts.name ? [facts.name] : []))];
  const image: ImageMeta = {
    ref,
    transport: 'sbom',
    tags,
    configDigest: digest(facts.configDigest) ?? '',
    platform: platformOf(facts.platform, str(fromPurl?.qualifiers?.arch)),
    layers: layersOf(diffIds),
    config: {},
  };
  const manifest = digest(facts.manifestDigest) ?? digest(fromPurl?.version);
  if (manifest) image.manifestDigest = manifest;
  return image;
}

/** Layer number -> diff_id, from the packages that name both. */
export class LayerIds {
  readonly byIndex = new Map<number, string>();

  note(index: number | undefined, diffId: string | undefined): void {
    const d = digest(diffId);
    if (index !== undefined && d && !this.byIndex.has(index)) this.byIndex.set(index, d);
  }
}
