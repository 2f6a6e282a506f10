import type { ImageConfig, Platform } from '../types.js';
import { CavasError } from '../util/errors.js';

/** The fields of an OCI/Docker image config blob cavas uses. */
export interface RawImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: ImageConfig;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean; created?: string }>;
}

export function parseJson(data: Buffer, what: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new CavasError('BAD_IMAGE', `${what}: malformed JSON (${(e as Error).message})`);
  }
}

export function parseImageConfig(data: Buffer, what: string): RawImageConfig {
  const cfg = parseJson(data, what);
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new CavasError('BAD_IMAGE', `${what}: image config is not a JSON object`);
  const c = cfg as RawImageConfig;
  const ids = c.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.some((d) => typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d))) {
    throw new CavasError('BAD_IMAGE', `${what}: image config has no valid rootfs.diff_ids`);
  }
  return c;
}

export function configPlatform(c: RawImageConfig): Platform {
  const p: Platform = { os: c.os ?? 'linux', architecture: c.architecture ?? 'unknown' };
  if (c.variant) p.variant = c.variant;
  return p;
}

/** created_by of each non-empty layer, in layer order. */
export function layerHistory(c: RawImageConfig): Array<string | undefined> {
  return (c.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by);
}
