/**
 * .cavasignore: findings the user accepts, each with a reason and optionally an end date.
 *
 *   ignore:
 *     - id: CVE-2023-45853                  # vulnerability id or any alias (DSA-..., GHSA-...)
 *       package: zlib1g                     # optional: package name, or purl (pkg:deb/debian/zlib1g)
 *       reason: minizip is not shipped; zlib1g itself is not affected
 *       expires: 2026-06-30                 # optional: active through that day (UTC)
 *     - id: secret/private-key              # rule id (config/..., secret/..., malware/...)
 *       path: "app/test/fixtures/**"        # optional: picomatch glob on the image path
 *       reason: throwaway test key
 *
 * Every key other than id, package, path, reason and expires is an error, as is an entry
 * with both package (vulnerabilities) and path (rule findings): a typo must not silently
 * widen what is ignored. YAML 1.2 core schema, so dates stay strings. docs/ignore.md has
 * the matching rules.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { CavasError, describeError } from '../util/errors.js';
import { parsePurl } from './purl-match.js';
import type { IgnoreEntry } from './types.js';

export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

const ENTRY_KEYS = new Set(['id', 'package', 'path', 'reason', 'expires']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** YYYY-MM-DD naming a real calendar day (no 2026-02-30). */
export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** First instant (UTC) at which an entry expiring on `date` no longer applies. */
export function expiryInstant(date: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d + 1);
}

export function isEntryActive(entry: Pick<IgnoreEntry, 'expires'>, now: Date): boolean {
  return entry.expires === undefined || now.getTime() < expiryInstant(entry.expires);
}

function optString(e: Record<string, unknown>, key: string, where: () => string): string | undefined {
  const v = e[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new CavasError('BAD_INPUT', `${where()}: ${key} must be a non-empty string`);
  return v.trim();
}

function parseEntry(raw: unknown, index: number, source: string): IgnoreEntry {
  const label = isRecord(raw) && typeof raw.id === 'string' ? ` (${raw.id})` : '';
  const where = (): string => `${source}: ignore[${index}]${label}`;
  if (!isRecord(raw)) throw new CavasError('BAD_INPUT', `${where()}: expected a mapping with id and reason`);
  for (const k of Object.keys(raw)) {
    if (!ENTRY_KEYS.has(k)) throw new CavasError('BAD_INPUT', `${where()}: unknown key "${k}" (use id, package, path, reason, expires)`);
  }
  const id = optString(raw, 'id', where);
  if (id === undefined) throw new CavasError('BAD_INPUT', `${where()}: missing id`);
  const reason = optString(raw, 'reason', where);
  if (reason === undefined) throw new CavasError('BAD_INPUT', `${where()}: missing reason (say why the risk is accepted)`);
  const pkg = optString(raw, 'package', where);
  const path = optString(raw, 'path', where);
  if (pkg !== undefined && path !== undefined) {
    throw new CavasError('BAD_INPUT', `${where()}: package (vulnerabilities) and path (rule findings) cannot both be given`);
  }
  if (pkg?.startsWith('pkg:') && parsePurl(pkg) === undefined) throw new CavasError('BAD_INPUT', `${where()}: package "${pkg}" is not a valid purl`);
  const rawExpires = raw.expires;
  if (rawExpires !== undefined && rawExpires !== null && (typeof rawExpires !== 'string' || !isValidDate(rawExpires.trim()))) {
    throw new CavasError('BAD_INPUT', `${where()}: expires must be a date YYYY-MM-DD, got ${JSON.stringify(rawExpires)}`);
  }
  const entry: IgnoreEntry = { id, reason, source, index };
  if (pkg !== undefined) entry.package = pkg;
  // findings carry root-relative paths; people often write them absolute
  if (path !== undefined) entry.path = path.replace(/^\/+/, '');
  if (typeof rawExpires === 'string') entry.expires = rawExpires.trim();
  return entry;
}

/** Parse the text of a .cavasignore; `source` names the file in errors and in results. */
export function parseIgnoreFile(text: string, source: string): IgnoreEntry[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_IGNORE_FILE_BYTES) {
    throw new CavasError('BAD_INPUT', `${source}: larger than ${MAX_IGNORE_FILE_BYTES} bytes`);
  }
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const offset = err.pos[0];
    const before = text.slice(0, offset);
    const at = ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    throw new CavasError('BAD_INPUT', `${source}: not valid YAML${at} (${err.message.split('\n')[0] ?? err.code})`);
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return [];
  if (!isRecord(data)) throw new CavasError('BAD_INPUT', `${source}: expected a mapping with an ignore: list`);
  for (const k of Object.keys(data)) {
    if (k !== 'ignore') throw new CavasError('BAD_INPUT', `${source}: unknown top-level key "${k}" (only ignore:)`);
  }
  const list = data.ignore;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new CavasError('BAD_INPUT', `${source}: ignore: must be a list of entries`);
  return list.map((raw: unknown, i) => parseEntry(raw, i, source));
}

/** Read and parse a .cavasignore from disk, refusing oversized files before reading them. */
export async function readIgnoreFile(file: string): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.size > MAX_IGNORE_FILE_BYTES) throw new CavasError('BAD_INPUT', `${file}: larger than ${MAX_IGNORE_FILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CavasError) throw e;
    throw new CavasError('NOT_FOUND', `${file}: cannot read ignore file (${describeError(e)})`);
  }
  return parseIgnoreFile(text, file);
}
