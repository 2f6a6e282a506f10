import type { Readable } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { CavasError, describeError, isCavasError } from '../util/errors.js';
import { normaliseEntryPath, resolveLinkTarget } from './paths.js';
import type { CapturedContent, EntryType, FileClaim, LayerAnalysis, LayerEntry } from './layer.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

function entryType(t: Header['type']): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Parse one uncompressed layer tar in a single pass: record every entry, turn
 * whiteout markers into deletions, and keep the bytes of files a claim asks for.
 * Nothing is written to disk; only claimed files (each bounded by its claim) are
 * held in memory.
 */
export async function walkLayerTar(
  tar: Readable,
  diffId: string,
  where: string,
  claims: readonly FileClaim[],
): Promise<LayerAnalysis> {
  const analysis: LayerAnalysis = { diffId, entries: [], whiteouts: [], opaqueDirs: [], captured: [], warnings: [] };
  const extractor = tarExtract();

  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, body, next) => {
      try {
        const captured = handleEntry(header, analysis, where, claims);
        if (!captured) {
          body.on('end', () => next());
          body.resume();
          return;
        }
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
        body.on('end', () => {
          analysis.captured.push({ path: captured, content: Buffer.concat(chunks) } satisfies CapturedContent);
          next();
        });
      } catch (e) {
        body.resume();
        next(e as Error);
      }
    });
    extractor.on('finish', () => resolve());
    extractor.on('error', (e: Error) => reject(e));
    tar.on('error', (e: Error) => {
      extractor.destroy(e);
      reject(e);
    });
  });
  tar.pipe(extractor);
  try {
    await done;
  } catch (e) {
    tar.destroy();
    if (isCavasError(e)) throw e;
    throw new CavasError('BAD_LAYER', `${where}: not a readable tar (${describeError(e)})`, { cause: e });
  }
  return analysis;
}

/** Returns the path to capture, or undefined to skip the body. */
function handleEntry(header: Header, analysis: LayerAnalysis, where: string, claims: readonly FileClaim[]): string | undefined {
  const type = entryType(header.type);
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
      analysis.whiteouts.push(dir ? `${dir}/${victim}` : victim);
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
  if (type === 'hardlink') entry.link = normaliseEntryPath(header.linkname ?? '', where);
  analysis.entries.push(entry);

  if (type !== 'file') return undefined;
  for (const claim of claims) {
    if (!claim.wants(path, entry)) continue;
    if (entry.size > claim.maxBytes) {
      analysis.warnings.push(`${where}: ${path} is ${entry.size} bytes, over the ${claim.name} limit of ${claim.maxBytes}; not read`);
      return undefined;
    }
    return path;
  }
  return undefined;
}
