/**
 * A check over one file's text. The runner asks every rule whether it wants each
 * path of each layer, reads the wanted files up to maxBytes and adds path and layer
 * to the hits; rules stay pure functions of (content, path).
 */
import type { RuleHit, RuleInfo } from '../rule.js';

export interface FileRule extends RuleInfo {
  readonly kind: 'config';
  /** Root-relative path, no leading slash (e.g. etc/shadow). Cheap: called for every file of every layer. */
  wants(path: string): boolean;
  /** Bytes over which the file is not read. */
  readonly maxBytes: number;
  /** content is the file's text (utf8). Hits need only message/line/severity; the runner fills path and layer. */
  check(content: string, path: string): RuleHit[];
}

/** Configuration files are small; anything bigger is not the file the rule means. */
export const CONFIG_MAX_BYTES = 1 << 20;

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The directory part without a trailing slash ('' for a top-level file). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}
