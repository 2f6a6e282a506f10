import { createHash } from 'node:crypto';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CavasError, describeError } from '../../util/errors.js';
import type { FileSink, LayerAnalysis, LayerEntry } from '../layer.js';
import { resolveLinkTarget } from '../paths.js';
import { keepClaimed } from '../walk-layer.js';
import { hostPlatform } from '../platform.js';
import type { ImageSource } from '../source.js';

const MAX_ENTRIES = 5_000_000;

/**
 * An unpacked root filesystem, seen as a one-layer image. Symlinks are recorded,
 * never followed, so nothing outside the directory is read.
 */
export const rootfsDirSource: ImageSource = {
  transport: 'dir',
  async load(target, ref, opts) {
    const root = target;
    try {
      if (!(await lstat(root)).isDirectory()) throw new Error('not a directory');
    } catch (e) {
      throw new CavasError('NOT_FOUND', `${ref}: ${root} is not a readable directory (${describeError(e)})`);
    }
    const analysis: LayerAnalysis = { diffId: '', entries: [], whiteouts: [], opaqueDirs: [], captured: [], warnings: [] };
    const listing = createHash('sha256');
    const stack: string[] = [''];
    const scans = (opts.scanners ?? []).map((s) => ({ name: s.name, scan: s.begin(ref) }));
    while (stack.length > 0) {
      const rel = stack.pop()!;
      const names = (await readdir(join(root, rel))).sort();
      for (const n of names) {
        const path = rel ? `${rel}/${n}` : n;
        const st = await lstat(join(root, path));
        const entry: LayerEntry = {
          path,
          type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other',
          mode: st.mode & 0o7777,
          size: st.isFile() ? st.size : 0,
          uid: st.uid,
          gid: st.gid,
        };
        if (entry.type === 'symlink') entry.link = resolveLinkTarget(path, await readlink(join(root, path)), ref);
        analysis.entries.push(entry);
        if (analysis.entries.length > MAX_ENTRIES) throw new CavasError('LIMIT_EXCEEDED', `${ref}: more than ${MAX_ENTRIES} files`);
        listing.update(`${path}\0${entry.type}\0${entry.mode}\0${entry.size}\0${st.mtimeMs}\n`);
        if (entry.type === 'dir') stack.push(path);
        else if (entry.type === 'file') {
          const sinks = scans.map(({ scan }) => scan.file(path, entry)).filter((s): s is FileSink => s !== undefined);
          if (sinks.length > 0) await streamTo(join(root, path), sinks);
          const claim = opts.claims.find((c) => c.wants(path, entry));
          if (!claim) continue;
          if (entry.size > claim.maxBytes) {
            analysis.warnings.push(`${ref}: ${path} is ${entry.size} bytes, over the ${claim.name} limit of ${claim.maxBytes}; not read`);
            continue;
          }
          keepClaimed(claim, path, await readBounded(join(root, path), Math.min(entry.size, claim.maxBytes)), analysis, ref);
        }
      }
    }
    if (scans.length > 0) {
      analysis.scans = {};
      for (const { name, scan } of scans) analysis.scans[name] = await scan.finish();
    }
    // a stable id for the tree as listed, so results can still name "the layer"
    analysis.diffId = 'sha256:' + listing.digest('hex');
    return {
      meta: {
        ref,
        transport: 'dir',
        tags: [],
        configDigest: '',
        platform: hostPlatform(),
        layers: [{ index: 0, digest: analysis.diffId, diffId: analysis.diffId, size: 0 }],
        config: {},
      },
      layers: [analysis],
      warnings: analysis.warnings,
    };
  },
};

async function streamTo(file: string, sinks: readonly FileSink[]): Promise<void> {
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 256 * 1024, autoClose: false })) {
      for (const s of sinks) await s.data(chunk as Buffer);
    }
  } finally {
    await fh.close();
  }
  for (const s of sinks) await s.end();
}

/** Reads at most `max` bytes: the file may grow between lstat and read. */
async function readBounded(file: string, max: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > max) break;
    }
    return buf.subarray(0, Math.min(n, max));
  } finally {
    await fh.close();
  }
}
