/**
 * The secret allowlist file (--secret-config): which paths and rules to leave out.
 *
 *   allow-paths: ["app/test/**", "**\/fixtures/**"]   # picomatch globs, root-relative
 *   disable-rules: [secret/jwt]
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CavasError, describeError } from '../../util/errors.js';
import type { SecretScanOptions } from './scanner.js';

const MAX_CONFIG_BYTES = 1024 * 1024;

function stringList(v: unknown, key: string, file: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim() !== '')) {
    throw new CavasError('BAD_INPUT', `${file}: ${key} must be a list of strings`);
  }
  return v.map((x: string) => x.trim().replace(/^\/+/, ''));
}

export function loadSecretConfig(file: string): SecretScanOptions {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > MAX_CONFIG_BYTES) throw new Error(`over ${MAX_CONFIG_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    throw new CavasError('NOT_FOUND', `--secret-config ${file}: cannot read (${describeError(e)})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CavasError('BAD_INPUT', `${file}: not valid YAML (${describeError(e)})`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CavasError('BAD_INPUT', `${file}: expected a mapping with allow-paths and disable-rules`);
  const known = new Set(['allow-paths', 'disable-rules']);
  for (const k of Object.keys(doc)) if (!known.has(k)) throw new CavasError('BAD_INPUT', `${file}: unknown key "${k}" (use allow-paths, disable-rules)`);
  const d = doc as Record<string, unknown>;
  return { allowPaths: stringList(d['allow-paths'], 'allow-paths', file), disabledRules: stringList(d['disable-rules'], 'disable-rules', file) };
}
