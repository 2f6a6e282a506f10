import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { CavasError, describeError, isCavasError } from '../util/errors.js';
import { DEFAULT_LIMITS, openDecompressed, sniffCompression, type DecompressionLimits } from './decompress.js';
import type { FileClaim } from './layer.js';
import { analyzeLayerBlob, type LayerBlobResult } from './layer-blob.js';
import { normaliseEntryPath } from './paths.js';

/** Metadata files (manifests, configs, index.json) are small; anything bigger is not one. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** Small entries are buffered whole, which also lets tiny layers be recognised. */
const SMALL_ENTRY_BYTES = 1024 * 1024;

export interface ArchiveEntry {
  path: string;
  size: number;
  /** sha256 of the entry's bytes; absent when reading stopped early on an error. */
  digest?: string;
  /** Whole content, for metadata-sized entries. */
  data?: Buffer;
  /** Present when the entry looked like a layer and was walked. */
  layer?: LayerBlobResult;
  /** Why walking it as a layer failed; raised only if the image really uses it. */
  layerError?: CavasError;
}

export interface ArchivePass {
  entries: Map<string, ArchiveEntry>;
}

function looksLikeTar(head: Buffer): boolean {
  if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar') return true;
  // an empty layer is just the two zero end-of-archive blocks
  return head.length >= 1024 && head.subarray(0, 1024).every((b) => b === 0);
}

function looksLikeLayer(head: Buffer): boolean {
  return sniffCompression(head) !== 'none' || looksLikeTar(head);
}

/**
 * Read an image archive (docker-archive or oci-archive, itself maybe gzip or
 * zstd compressed) in ONE sequential pass. The order of entries is whatever the
 * writer chose (Docker puts blobs before manifest.json), so every entry that
 * looks like a layer is walked as it streams by and matched to the manifest
 * afterwards; the alternative, reading the manifest first, would decompress a
 * compressed archive twice.
 */
export async function readArchive(
  file: string,
  name: string,
  claims: readonly FileClaim[],
  limits: DecompressionLimits = DEFAULT_LIMITS,
): Promise<ArchivePass> {
  const entries = new Map<string, ArchiveEntry>();
  let input;
  try {
    input = createReadStream(file, { highWaterMark: 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      input!.once('open', () => resolve());
      input!.once('error', reject);
    });
  } catch (e) {
    throw new CavasError('NOT_FOUND', `${name}: cannot open (${describeError(e)})`);
  }
  const { plain } = await openDecompressed(input, name, { ...limits, maxBytes: Number.MAX_SAFE_INTEGER }, { hash: false });
  const extractor = tarExtract();
  plain.on('error', (e: Error) => extractor.destroy(e));
  plain.pipe(extractor);
  try {
    // async iteration keeps exactly one entry in flight, so backpressure reaches the file read
    for await (const body of extractor) {
      const header = body.header;
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        for await (const _ of body) void _;
        continue;
      }
      const path = normaliseEntryPath(header.name, name);
      const entry = await readEntry(body, path, header.size ?? 0, path, claims, limits);
      entries.set(path, entry);
    }
  } catch (e) {
    input.destroy();
    if (isCavasError(e)) throw e;
    throw new CavasError('BAD_IMAGE', `${name}: not a readable image archive (${describeError(e)})`, { cause: e });
  }
  return { entries };
}

async function readEntry(
  body: AsyncIterable<unknown>,
  path: string,
  size: number,
  where: string,
  claims: readonly FileClaim[],
  limits: DecompressionLimits,
): Promise<ArchiveEntry> {
  const chunks = body[Symbol.asyncIterator]();
  // gather the first KiB by hand: sniffing needs it, and node's unshift on a piped stream is fragile
  const headParts: Buffer[] = [];
  let headBytes = 0;
  let exhausted = false;
  while (headBytes < 1024) {
    const next = await chunks.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const chunk = next.value as Buffer;
    headParts.push(chunk);
    headBytes += chunk.length;
  }
  const head = Buffer.concat(headParts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (exhausted) return;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }

  if (size <= SMALL_ENTRY_BYTES || ((head[0] === 0x7b || head[0] === 0x5b) && size <= MAX_METADATA_BYTES)) {
    const parts: Buffer[] = [];
    for await (const chunk of rest()) parts.push(chunk);
    const data = Buffer.concat(parts);
    const entry: ArchiveEntry = { path, size, digest: sha256(data), data };
    if (looksLikeLayer(data)) await walkBuffered(entry, data, where, claims, limits);
    return entry;
  }
  if (!looksLikeLayer(head)) {
    const hash = createHash('sha256');
    for await (const chunk of rest()) hash.update(chunk);
    return { path, size, digest: 'sha256:' + hash.digest('hex') };
  }
  const source = Readable.from(rest(), { objectMode: false, highWaterMark: 1024 * 1024 });
  try {
    const layer = await analyzeLayerBlob(source, { where, claims, limits });
    return { path, size, digest: layer.digest, layer };
  } catch (e) {
    // keep the outer archive in step: drain what is left of this entry
    source.destroy();
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
    }
    if (!isCavasError(e)) throw e;
    return { path, size, layerError: e };
  }
}

async function walkBuffered(entry: ArchiveEntry, data: Buffer, where: string, claims: readonly FileClaim[], limits: DecompressionLimits): Promise<void> {
  const source = new PassThrough();
  source.end(data);
  try {
    entry.layer = await analyzeLayerBlob(source, { where, claims, limits });
  } catch (e) {
    if (!isCavasError(e)) throw e;
    entry.layerError = e;
  }
}

export function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}
