import type { HistoryEntry, ImageMeta, LayerMeta } from '../types.js';
import { CavasError } from '../util/errors.js';
import { configPlatform, layerHistory, type RawImageConfig } from './config.js';
import type { LayerAnalysis } from './layer.js';
import { verifyLayer, type LayerBlobResult } from './layer-blob.js';

export interface AssembleInput {
  ref: string;
  transport: string;
  name: string;
  tags: string[];
  manifestDigest?: string;
  configDigest: string;
  config: RawImageConfig;
  /** Per layer: its analysed blob and the digest the manifest names for it (if any). */
  layers: Array<{ result: LayerBlobResult; expectDigest?: string; expectSize?: number }>;
}

/** Check every layer against the config's diff_ids and build the image description. */
export function assembleImage(input: AssembleInput): { meta: ImageMeta; layers: LayerAnalysis[]; warnings: string[] } {
  const diffIds = input.config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== input.layers.length) {
    throw new CavasError('BAD_IMAGE', `${input.name}: manifest lists ${input.layers.length} layers but the config has ${diffIds.length} diff_ids`);
  }
  const history = layerHistory(input.config);
  const metas: LayerMeta[] = [];
  const analyses: LayerAnalysis[] = [];
  const warnings: string[] = [];
  input.layers.forEach((l, i) => {
    const where = `layer ${i} of ${input.name}`;
    verifyLayer(l.result, where, { digest: l.expectDigest, diffId: diffIds[i], size: l.expectSize });
    const meta: LayerMeta = { index: i, digest: l.result.digest, diffId: l.result.diffId, size: l.result.size };
    const createdBy = history[i];
    if (createdBy) meta.createdBy = createdBy;
    metas.push(meta);
    analyses.push(l.result.analysis);
    warnings.push(...l.result.analysis.warnings);
  });
  const meta: ImageMeta = {
    ref: input.ref,
    transport: input.transport,
    tags: input.tags,
    configDigest: input.configDigest,
    platform: configPlatform(input.config),
    layers: metas,
    config: input.config.config ?? {},
  };
  const fullHistory = imageHistory(input.config);
  if (fullHistory.length > 0) meta.history = fullHistory;
  if (input.manifestDigest) meta.manifestDigest = input.manifestDigest;
  if (input.config.created) meta.created = input.config.created;
  return { meta, layers: analyses, warnings };
}

/** Every history step, with the layer each non-empty one produced. */
function imageHistory(config: AssembleInput['config']): HistoryEntry[] {
  let layer = 0;
  return (config.history ?? []).map((h) => {
    const entry: HistoryEntry = { emptyLayer: h.empty_layer === true };
    if (typeof h.created_by === 'string') entry.createdBy = h.created_by;
    if (typeof h.created === 'string') entry.created = h.created;
    if (!entry.emptyLayer) entry.layer = layer++;
    return entry;
  });
}
