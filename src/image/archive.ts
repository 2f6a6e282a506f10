import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CavasError, describeError, isCavasError } from '../util/errors.js';
import { BlobDecoder, DEFAULT_LIMITS, sniffCompression, type DecompressionLimits } from './decompress.js';
import type { FileClaim, LayerScanner } from './layer.js';
import { analyzeLayerBlob, LayerBlobReader, type AnalyzeOptions, type LayerBlobResult } from './layer-blob.js';
import { TarParser, type TarEntrySink } from './tar-parser.js';
import { normaliseEntryPath, resolveLinkTarget } from './paths.js';

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
  scanners: readonly LayerScanner[] = [],
): Promise<ArchivePass> {
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
  try {
    return await readArchiveStream(input, name, claims, limits, scanners);
  } finally {
    input.destroy();
  }
}

/** The same one-pass read from any byte stream (a file, an engine's image export). */
export async function readArchiveStream(
  input: AsyncIterable<Buffer>,
  name: string,
  claims: readonly FileClaim[],
  limits: DecompressionLimits = DEFAULT_LIMITS,
  scanners: readonly LayerScanner[] = [],
): Promise<ArchivePass> {
  const entries = new Map<string, ArchiveEntry>();
  const links = new Map<string, string>();
  const parser = new TarParser((header) => {
    if (header.typeflag === '1' || header.typeflag === '2') {
      // `docker save` (<= 24) writes a layer repeated in one image once and symlinks the other layer.tar to it
      const path = normaliseEntryPath(header.name, name);
      links.set(path, header.typeflag === '2' ? resolveLinkTarget(path, header.linkname, name) : normaliseEntryPath(header.linkname, name));
      return undefined;
    }
    if (header.typeflag !== '0' && header.typeflag !== '7') return undefined;
    const path = normaliseEntryPath(header.name, name);
    return new EntryReader(path, header.size, { claims, scanners, limits }, (entry) => entries.set(path, entry));
  }, name);
  // the archive's own digest is named nowhere, so only its layers are hashed
  const outer = new BlobDecoder(name, (chunk) => parser.write(chunk), { ...limits, maxBytes: Number.MAX_SAFE_INTEGER }, { hash: false });
  try {
    for await (const chunk of input) await outer.write(chunk);
    await outer.end();
    parser.end();
  } catch (e) {
    outer.destroy();
    if (isCavasError(e)) {
      // a broken tar at the outer level means the archive, not a layer, is bad
      if (e.code === 'BAD_LAYER' && e.message.startsWith(`${name}:`)) throw new CavasError('BAD_IMAGE', e.message.replace(/ tar /, ' image archive '), { cause: e });
      throw e;
    }
    throw new CavasError('BAD_IMAGE', `${name}: not a readable image archive (${describeError(e)})`, { cause: e });
  }
  addLinkAliases(entries, links);
  return { entries };
}

/** Let a link inside the archive name the entry it points to; a link to nothing stays missing. */
function addLinkAliases(entries: Map<string, ArchiveEntry>, links: Map<string, string>): void {
  for (const [path, target] of links) {
    let t = target;
    for (let hops = 0; hops < 16 && !entries.has(t) && links.has(t); hops++) t = links.get(t)!;
    const entry = entries.get(t);
    if (entry && !entries.has(path)) entries.set(path, entry);
  }
}

/**
 * Reads one archive entry as it streams by: small ones are kept whole (metadata, tiny
 * layers); big ones that start like a layer are walked on the fly; anything else is only
 * hashed, so a blob is never read twice.
 */
class EntryReader implements TarEntrySink {
  private head: Buffer[] = [];
  private headBytes = 0;
  private mode: 'head' | 'buffer' | 'hash' | 'layer' = 'head';
  private readonly hash = createHash('sha256');
  private layer: LayerBlobReader | undefined;
  private layerError: CavasError | undefined;

  constructor(
    private readonly path: string,
    private readonly size: number,
    private readonly walk: { claims: readonly FileClaim[]; scanners: readonly LayerScanner[]; limits: DecompressionLimits },
    private readonly done: (entry: ArchiveEntry) => void,
  ) {
    if (size <= SMALL_ENTRY_BYTES) this.mode = 'buffer';
  }

  async data(chunk: Buffer): Promise<void> {
    if (this.mode === 'buffer') {
      this.head.push(Buffer.from(chunk));
      return;
    }
    if (this.mode === 'hash') {
      this.hash.update(chunk);
      return;
    }
    if (this.mode === 'head') {
      this.head.push(Buffer.from(chunk));
      this.headBytes += chunk.length;
      if (this.headBytes < 1024) return;
      const head = Buffer.concat(this.head);
      this.head = [];
      if ((head[0] === 0x7b || head[0] === 0x5b) && this.size <= MAX_METADATA_BYTES) {
        this.mode = 'buffer';
        this.head = [head];
        return;
      }
      if (!looksLikeLayer(head)) {
        this.mode = 'hash';
        this.hash.update(head);
        return;
      }
      this.mode = 'layer';
      this.layer = new LayerBlobReader({ where: this.path, ...this.walk });
      return this.feedLayer(head);
    }
    return this.feedLayer(chunk);
  }

  async end(): Promise<void> {
    if (this.mode === 'buffer' || this.mode === 'head') {
      const data = Buffer.concat(this.head);
      const entry: ArchiveEntry = { path: this.path, size: this.size, digest: sha256(data), data };
      if (looksLikeLayer(data)) await walkBuffered(entry, data, { where: this.path, ...this.walk });
      this.done(entry);
      return;
    }
    const entry: ArchiveEntry = { path: this.path, size: this.size };
    if (this.mode === 'hash') entry.digest = 'sha256:' + this.hash.digest('hex');
    if (this.layer && !this.layerError) {
      try {
        entry.layer = await this.layer.end();
        entry.digest = entry.layer.digest;
      } catch (e) {
        if (!isCavasError(e)) throw e;
        this.layerError = e;
      }
    }
    if (this.layerError) entry.layerError = this.layerError;
    this.done(entry);
  }

  /** A blob that fails to walk is remembered, not thrown: it matters only if the image uses it. */
  private async feedLayer(chunk: Buffer): Promise<void> {
    if (this.layerError || !this.layer) return;
    try {
      await this.layer.write(chunk);
    } catch (e) {
      this.layer.destroy();
      if (!isCavasError(e)) throw e;
      this.layerError = e;
    }
  }
}

async function walkBuffered(entry: ArchiveEntry, data: Buffer, opts: AnalyzeOptions): Promise<void> {
  try {
    entry.layer = await analyzeLayerBlob([data], opts);
  } catch (e) {
    if (!isCavasError(e)) throw e;
    entry.layerError = e;
  }
}

export function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}
