/**
 * The contract every advisory feed parser implements, and the few helpers they share
 * for reading untrusted feed files.
 */
import { readFile, stat } from 'node:fs/promises';
import { CavasError, describeError } from '../../util/errors.js';
import type { AdvisorySink } from '../model.js';

export interface FeedContext {
  /** Path of the file relative to the mirror root, e.g. 'osv/Go/all.zip': named in every error. */
  relPath: string;
}

export interface AdvisoryFeed {
  readonly name: 'osv' | 'alpine-secdb' | 'debian-tracker' | 'kev' | 'malware-hashes';
  /** Parse one fully downloaded file on local disk; push records into sink. */
  load(filePath: string, sink: AdvisorySink, ctx: FeedContext): Promise<void>;
}

/**
 * JSON feeds are parsed whole, so their size bounds memory. The real Debian tracker file,
 * the largest, is well under 100 MiB; V8 strings cannot exceed ~512 MiB anyway.
 */
export const MAX_JSON_FEED_BYTES = 512 * 1024 * 1024;

export function feedError(ctx: FeedContext, what: string, cause?: unknown): CavasError {
  return new CavasError('BAD_FEED', `${ctx.relPath}: ${what}`, cause === undefined ? undefined : { cause });
}

/** Reads and parses a JSON feed file, refusing oversized or unparsable input. */
export async function readJsonFeed(filePath: string, ctx: FeedContext): Promise<unknown> {
  let text: string;
  try {
    const st = await stat(filePath);
    if (st.size > MAX_JSON_FEED_BYTES) {
      throw feedError(ctx, `file is ${st.size} bytes, over the ${MAX_JSON_FEED_BYTES}-byte limit for JSON feeds`);
    }
    text = await readFile(filePath, 'utf8');
  } catch (e) {
    if (e instanceof CavasError) throw e;
    throw new CavasError('IO', `${ctx.relPath}: cannot read feed file: ${describeError(e)}`, { cause: e });
  }
  return parseJson(text, ctx, 'file');
}

export function parseJson(text: string, ctx: FeedContext, what: string): unknown {
  try {
    // A UTF-8 byte order mark is legal in a file but not in JSON.parse input.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw feedError(ctx, `${what} is not valid JSON (${describeError(e)})`, e);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Collapses free text (descriptions, summaries) to one line of at most `max` characters. */
export function oneLine(s: string | undefined, max = 300): string | undefined {
  if (s === undefined) return undefined;
  const line = s.replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Counts recoverable oddities so a feed with thousands of them yields one warning per kind,
 * not one per record.
 */
export class WarningTally {
  private readonly kinds = new Map<string, Map<string, number>>();

  add(kind: string, detail: string): void {
    let details = this.kinds.get(kind);
    if (!details) {
      details = new Map();
      this.kinds.set(kind, details);
    }
    details.set(detail, (details.get(detail) ?? 0) + 1);
  }

  /** One warning per kind: "<relPath>: <kind>: a (3), b (1)"; lists at most 10 details. */
  flush(sink: AdvisorySink, ctx: FeedContext): void {
    for (const [kind, details] of this.kinds) {
      const sorted = [...details].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const shown = sorted.slice(0, 10).map(([d, n]) => `${d} (${n})`);
      if (sorted.length > shown.length) shown.push(`and ${sorted.length - shown.length} more`);
      sink.warn(`${ctx.relPath}: ${kind}: ${shown.join(', ')}`);
    }
    this.kinds.clear();
  }
}
