import { describeError } from '../util/errors.js';
import { TarParser, type TarEntrySink, type TarHeader } from './tar-parser.js';
import { normaliseEntryPath, resolveLinkTarget } from './paths.js';
import type { CapturedContent, EntryType, FileClaim, FileSink, LayerAnalysis, LayerEntry, LayerScan, LayerScanner } from './layer.js';

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
  private readonly scans: Array<{ name: string; scan: LayerScan }>;

  constructor(
    private readonly where: string,
    private readonly claims: readonly FileClaim[],
    scanners: readonly LayerScanner[] = [],
  ) {
    this.parser = new TarParser((header) => this.onEntry(header), where);
    this.scans = scanners.map((s) => ({ name: s.name, scan: s.begin(where) }));
  }

  write(chunk: Buffer): Promise<void> {
    return this.parser.write(chunk);
  }

  async end(): Promise<LayerAnalysis> {
    this.parser.end();
    if (this.scans.length > 0) {
      const scans: Record<string, unknown> = {};
      for (const { name, scan } of this.scans) scans[name] = await scan.finish();
      this.analysis.scans = scans;
    }
    return this.analysis;
  }

  private onEntry(header: TarHeader): TarEntrySink | undefined {
    const wanted = handleEntry(header, this.analysis, this.where, this.claims);
    if (this.scans.length === 0 || wanted?.entry.type !== 'file') return wanted?.claim ? this.claimSink(wanted.path, wanted.claim) : undefined;
    const sinks: FileSink[] = [];
    for (const { scan } of this.scans) {
      const sink = scan.file(wanted.path, wanted.entry);
      if (sink) sinks.push(sink);
    }
    if (wanted.claim) sinks.push(this.claimSink(wanted.path, wanted.claim));
    return sinks.length <= 1 ? sinks[0] : fanOut(sinks);
  }

  private claimSink(path: string, claim: FileClaim): TarEntrySink {
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

/** One file's bytes to several consumers, read once. */
function fanOut(sinks: readonly FileSink[]): TarEntrySink {
  const all = (results: Array<void | Promise<void>>): void | Promise<void> => {
    const pending = results.filter((r): r is Promise<void> => r instanceof Promise);
    if (pending.length > 0) return Promise.all(pending).then(() => undefined);
  };
  return {
    data: (chunk) => all(sinks.map((s) => s.data(chunk))),
    end: () => all(sinks.map((s) => s.end())),
  };
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

/** The recorded entry, with the claim that wants its bytes (if any); undefined for whiteouts and the root. */
function handleEntry(header: TarHeader, analysis: LayerAnalysis, where: string, claims: readonly FileClaim[]): { path: string; entry: LayerEntry; claim?: FileClaim } | undefined {
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

  if (type !== 'file') return { path, entry };
  for (const claim of claims) {
    if (!claim.wants(path, entry)) continue;
    if (entry.size > claim.maxBytes) {
      analysis.warnings.push(`${where}: ${path} is ${entry.size} bytes, over the ${claim.name} limit of ${claim.maxBytes}; not read`);
      return { path, entry };
    }
    return { path, entry, claim };
  }
  return { path, entry };
}
