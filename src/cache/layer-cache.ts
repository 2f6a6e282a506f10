/**
 * Layer analyses stored by blob digest, so a base layer shared by a hundred images is
 * downloaded and walked once. Only sources whose blob digests are trustworthy before
 * download (a registry: the manifest names them) use it; archives and directories must
 * read their bytes to verify them anyway.
 *
 * The key includes what the extractors claim: a cavas that reads more files than the one
 * that wrote an entry must not reuse it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FileClaim, LayerAnalysis, LayerScanner } from '../image/layer.js';
import type { LayerBlobResult } from '../image/layer-blob.js';
import { DIGEST_RE } from '../image/oci-layout.js';
import { CAVAS_VERSION } from '../util/version.js';

const FORMAT = 1;

interface StoredLayer {
  format: number;
  digest: string;
  diffId: string;
  size: number;
  compression: LayerBlobResult['compression'];
  analysis: Omit<LayerAnalysis, 'captured'> & { captured: Array<{ path: string; content: string }> };
}

export class LayerCache {
  private readonly dir: string;
  private readonly root: string;
  hits = 0;
  misses = 0;

  /** Entries are read only when every scanner's results can be (see LayerScanner.cacheKey); they are always written. */
  private readonly readable: boolean;
  /** Results of scanners without a cache key are never stored: they would be stale. */
  private readonly volatile: ReadonlySet<string>;

  constructor(cacheDir: string, claims: readonly FileClaim[], scanners: readonly LayerScanner[] = []) {
    this.readable = scanners.every((s) => s.cacheKey !== undefined);
    this.volatile = new Set(scanners.filter((s) => s.cacheKey === undefined).map((s) => s.name));
    const key = createHash('sha256')
      .update(JSON.stringify([FORMAT, CAVAS_VERSION, claims.map((c) => [c.name, c.maxBytes]), scanners.filter((s) => s.cacheKey !== undefined).map((s) => [s.name, s.cacheKey])]))
      .digest('hex')
      .slice(0, 16);
    this.root = join(cacheDir, 'layers');
    this.dir = join(this.root, key);
  }

  private file(digest: string): string {
    return join(this.dir, digest.replace(':', '-') + '.json.gz');
  }

  /** A damaged entry counts as a miss: the layer is simply analysed again. */
  get(digest: string): LayerBlobResult | undefined {
    if (!this.readable || !DIGEST_RE.test(digest)) return undefined;
    let stored: StoredLayer;
    try {
      stored = JSON.parse(gunzipSync(readFileSync(this.file(digest))).toString('utf8')) as StoredLayer;
    } catch {
      this.misses++;
      return undefined;
    }
    if (stored.format !== FORMAT || stored.digest !== digest) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const { captured, ...rest } = stored.analysis;
    return {
      digest: stored.digest,
      diffId: stored.diffId,
      size: stored.size,
      compression: stored.compression,
      analysis: { ...rest, captured: captured.map((c) => ({ path: c.path, content: Buffer.from(c.content, 'base64') })) },
    };
  }

  /**
   * Small blobs (image configs) by digest, verified on every read: with them cached, a
   * repeated scan of an image fetches nothing but its manifest.
   */
  getBlob(digest: string): Buffer | undefined {
    if (!DIGEST_RE.test(digest)) return undefined;
    try {
      const data = readFileSync(this.blobFile(digest));
      return 'sha256:' + createHash('sha256').update(data).digest('hex') === digest ? data : undefined;
    } catch {
      return undefined;
    }
  }

  putBlob(digest: string, data: Buffer): void {
    if (!DIGEST_RE.test(digest)) return;
    atomicWrite(this.blobFile(digest), data);
  }

  private blobFile(digest: string): string {
    return join(this.root, 'blobs', digest.replace(':', '-'));
  }

  /** Written to a temp name and renamed, so a crash or a parallel scan never leaves half an entry. */
  put(result: LayerBlobResult): void {
    if (!DIGEST_RE.test(result.digest)) return;
    const scans = result.analysis.scans && Object.fromEntries(Object.entries(result.analysis.scans).filter(([name]) => !this.volatile.has(name)));
    const stored: StoredLayer = {
      format: FORMAT,
      digest: result.digest,
      diffId: result.diffId,
      size: result.size,
      compression: result.compression,
      analysis: { ...result.analysis, scans, captured: result.analysis.captured.map((c) => ({ path: c.path, content: c.content.toString('base64') })) },
    };
    atomicWrite(this.file(result.digest), gzipSync(JSON.stringify(stored), { level: 1 }));
  }
}

function atomicWrite(target: string, data: Buffer): void {
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch {
    // a cache that cannot be written only costs speed
    rmSync(tmp, { force: true });
  }
}
