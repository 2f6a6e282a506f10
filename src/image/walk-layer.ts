import { describeError } from '../util/errors.js';
import { TarParser, type TarEntrySink, type TarHeader } from './tar-parser.js';
import { normaliseEntryPath, resolveLinkTarget } from './paths.js';
import type { CapturedContent, EntryType, FileClaim, LayerAnalysis, LayerEntry } from './layer.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

function entryType(typeflag: string): EntryType {
  switch (typeflag) {
    case '0':
    case '7':
    case '\0':
      return 'file';
    case '5':
      return 'dir';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Walks one uncompressed layer tar pushed to it chunk by chunk: records every entry,
 * turns whiteout markers into deletions, and keeps the bytes of files a claim asks for.
 * Nothing is written to disk; only claimed files (each bounded by its claim) are held
 * in memory. Being push-driven, it can be fed straight from an outer archive's entry.
 */
export class LayerWalker {
  readonly analysis: LayerAnalysis = { diffId: '', entries: [], whiteouts: [], opaqueDirs: [], captured: [], warnings: [] };
  private readonly parser: TarParser;

  constructor(
    private readonly where: string,
    private readonly claims: readonly FileClaim[],
  ) {
    this.parser = new TarParser((header) => this.onEntry(header), where);
  }

  write(chunk: Buffer): Promise<void> {
    return this.parser.write(chunk);
  }

  end(): LayerAnalysis {
    this.parser.end();
    return this.analysis;
  }

  private onEntry(header: TarHeader): TarEntrySink | undefined {
    const wanted = handleEntry(header, this.analysis, this.where, this.claims);
    if (!wanted) return undefined;
    const { path, claim } = wanted;
    const parts: Buffer[] = [];
    let skipped = false;
    return {
      data: (chunk) => {
        if (skipped) return;
        if (parts.length === 0 && claim.sniff && !claim.sniff(chunk)) {
          skipped = true;
          return;
        }
        parts.push(Buffer.from(chunk));
      },
      end: () => {
        if (!skipped) keepClaimed(claim, path, Buffer.concat(parts), this.analysis, this.where);
      },
    };
  }
}

/** Store a claimed file's content, or what the claim reduces it to. */
export function keepClaimed(claim: FileClaim, path: string, content: Buffer, analysis: LayerAnalysis, where: string): void {
  if (claim.sniff && !claim.sniff(content.subarray(0, 4096))) return;
  let kept: Buffer | undefined = content;
  if (claim.reduce) {
    try {
      kept = claim.reduce(path, content);
    } catch (e) {
      // one unreadable archive or binary must not cost the whole image
      analysis.warnings.push(`${where}: ${path}: ${claim.name} could not read it (${describeError(e)})`);
      kept = undefined;
    }
  }
  if (kept) analysis.captured.push({ path, content: kept } satisfies CapturedContent);
}

/** Returns the path to capture and the claim that wants it, or undefined to skip the body. */
function handleEntry(header: TarHeader, analysis: LayerAnalysis, where: string, claims: readonly FileClaim[]): { path: string; claim: FileClaim } | undefined {
  const type = entryType(header.typeflag);
  const path = normaliseEntryPath(header.name, where);
  if (path === '') return undefined;

  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (base.startsWith(WHITEOUT_PREFIX)) {
    if (base === OPAQUE_MARKER) analysis.opaqueDirs.push(dir);
    else if (!base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      // other .wh..wh.* names are aufs bookkeeping, not deletions
      const victim = base.slice(WHITEOUT_PREFIX.length);
      // '.wh.', '.wh..' and '.wh...' name no file; at the root the first would otherwise delete everything
      if (victim !== '' && victim !== '.' && victim !== '..') analysis.whiteouts.push(dir ? `${dir}/${victim}` : victim);
    }
    return undefined;
  }

  const entry: LayerEntry = {
    path,
    type,
    mode: header.mode ?? 0,
    size: header.size ?? 0,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
  };
  if (type === 'symlink') entry.link = resolveLinkTarget(path, header.linkname ?? '', where);
  if (type === 'hardlink') entry.link = normaliseEntryPath(header.linkname ?? '', `${where}: hard link "${path}"`);
  analysis.entries.push(entry);

  if (type !== 'file') return undefined;
  for (const claim of claims) {
    if (!claim.wants(path, entry)) continue;
    if (entry.size > claim.maxBytes) {
      analysis.warnings.push(`${where}: ${path} is ${entry.size} bytes, over the ${claim.name} limit of ${claim.maxBytes}; not read`);
      return undefined;
    }
    return { path, claim };
  }
  return undefined;
}
