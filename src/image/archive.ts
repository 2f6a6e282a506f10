import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { CavasError, describeError, isCavasError } from '../util/errors.js';
import { DEFAULT_LIMITS, openDecompressed, peek, sniffCompression, type DecompressionLimits } from './decompress.js';
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
    input = createReadStream(file);
    await new Promise<void>((resolve, reject) => {
      input!.once('open', () => resolve());
      input!.once('error', reject);
    });
  } catch (e) {
    throw new CavasError('NOT_FOUND', `${name}: cannot open (${describeError(e)})`);
  }
  const { plain } = await openDecompressed(input, name, { ...limits, maxBytes: Number.MAX_SAFE_INTEGER });
  const extractor = tarExtract();

  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, body, next) => {
      const finish = (e?: unknown): void => {
        if (e) next(e as Error);
        else next();
      };
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        body.on('end', () => finish());
        body.resume();
        return;
      }
      let path: string;
      try {
        path = normaliseEntryPath(header.name, name);
      } catch (e) {
        body.resume();
        finish(e);
        return;
      }
      const size = header.size ?? 0;
      // tar-stream bodies are streamx streams; a PassThrough gives the node API (unshift) the sniffers need
      const pass = new PassThrough({ highWaterMark: 1024 * 1024 });
      body.on('data', (c: unknown) => {
        if (!pass.write(c as Buffer)) body.pause();
      });
      pass.on('drain', () => body.resume());
      body.on('end', () => pass.end());
      body.on('error', (e: Error) => pass.destroy(e));
      readEntry(pass, path, size, path, claims, limits)
        .then((entry) => {
          entries.set(path, entry);
          finish();
        })
        .catch((e: unknown) => finish(e));
    });
    extractor.on('finish', () => resolve());
    extractor.on('error', (e: Error) => reject(e));
    plain.on('error', (e: Error) => {
      extractor.destroy(e);
      reject(e);
    });
  });
  plain.pipe(extractor);
  try {
    await done;
  } catch (e) {
    input.destroy();
    if (isCavasError(e)) throw e;
    throw new CavasError('BAD_IMAGE', `${name}: not a readable image archive (${describeError(e)})`, { cause: e });
  }
  return { entries };
}

async function readEntry(
  stream: PassThrough,
  path: string,
  size: number,
  where: string,
  claims: readonly FileClaim[],
  limits: DecompressionLimits,
): Promise<ArchiveEntry> {
  const head = await peek(stream, 1024);
  if (size <= SMALL_ENTRY_BYTES || ((head[0] === 0x7b || head[0] === 0x5b) && size <= MAX_METADATA_BYTES)) {
    const data = await collect(stream);
    const entry: ArchiveEntry = { path, size, digest: sha256(data), data };
    if (looksLikeLayer(data)) await walkBuffered(entry, data, where, claims, limits);
    return entry;
  }
  if (!looksLikeLayer(head)) {
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return { path, size, digest: 'sha256:' + hash.digest('hex') };
  }
  try {
    const layer = await analyzeLayerBlob(stream, { where, claims, limits });
    return { path, size, digest: layer.digest, layer };
  } catch (e) {
    // keep the outer archive in step: drain what is left of this entry
    stream.resume();
    await new Promise<void>((resolve) => {
      if (stream.readableEnded) resolve();
      else {
        stream.on('end', resolve);
        stream.on('close', resolve);
      }
    });
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

async function collect(stream: PassThrough): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}
