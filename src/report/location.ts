import type { RuleFinding } from '../types.js';

/**
 * Where a config, secret or malware finding is, in one line: a file with its line and
 * layer (and the layer that deleted it, since the bytes are still in the image), or a
 * field of the image config.
 */
export function findingLocation(f: RuleFinding): string {
  if (f.path === undefined) return f.field ?? '';
  let where = '/' + f.path.replace(/^\//, '');
  if (f.kind === 'malware' && f.member) where += `!${f.member}`;
  if (f.line !== undefined) where += `:${f.line}`;
  if (f.layer !== undefined) where += ` (layer ${f.layer})`;
  if (f.removedInLayer !== undefined) where += ` removed in layer ${f.removedInLayer}, still in the image`;
  return where;
}
