import type { LayerAnalysis, LayerEntry } from './layer.js';

export interface FsNode {
  entry: LayerEntry;
  /** Layer that wrote the current version of this path. */
  layer: number;
}

/** One captured version of a claimed file, including versions later deleted or replaced. */
export interface CapturedFile {
  path: string;
  layer: number;
  content: Buffer;
  /** Layer that deleted or replaced this version; undefined while it is the visible one. */
  removedInLayer?: number;
}

const MAX_SYMLINK_HOPS = 40;

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * The image's final filesystem, built by applying layers in order with OCI
 * whiteout semantics. Only metadata and claimed contents are held; the older
 * versions of claimed files stay reachable (`history`), because a file deleted
 * in a later layer is still inside the image for anyone who pulls it.
 */
export class ImageFilesystem {
  private readonly nodes = new Map<string, FsNode>();
  private readonly children = new Map<string, Set<string>>();
  private readonly captured: CapturedFile[] = [];
  private readonly visibleCapture = new Map<string, CapturedFile>();

  static merge(layers: readonly LayerAnalysis[]): ImageFilesystem {
    const fs = new ImageFilesystem();
    layers.forEach((l, i) => fs.apply(l, i));
    return fs;
  }

  private apply(layer: LayerAnalysis, index: number): void {
    for (const dir of layer.opaqueDirs) {
      for (const child of [...(this.children.get(dir) ?? [])]) this.removeTree(child, index);
    }
    for (const path of layer.whiteouts) this.removeTree(path, index);
    const capturedHere = new Map(layer.captured.map((c) => [c.path, c.content]));
    for (const entry of layer.entries) {
      const old = this.nodes.get(entry.path);
      if (old && !(old.entry.type === 'dir' && entry.type === 'dir')) this.removeTree(entry.path, index);
      this.nodes.set(entry.path, { entry, layer: index });
      const parent = parentOf(entry.path);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      set.add(entry.path);
      const content = capturedHere.get(entry.path);
      if (content) {
        const file: CapturedFile = { path: entry.path, layer: index, content };
        this.captured.push(file);
        this.visibleCapture.set(entry.path, file);
      }
    }
  }

  private removeTree(path: string, byLayer: number): void {
    const kids = this.children.get(path);
    if (kids) {
      for (const k of kids) this.removeTree(k, byLayer);
      this.children.delete(path);
    }
    if (!this.nodes.delete(path)) return;
    this.children.get(parentOf(path))?.delete(path);
    const cap = this.visibleCapture.get(path);
    if (cap) {
      cap.removedInLayer = byLayer;
      this.visibleCapture.delete(path);
    }
  }

  get(path: string): FsNode | undefined {
    return this.nodes.get(path);
  }

  get size(): number {
    return this.nodes.size;
  }

  *entries(): IterableIterator<FsNode> {
    yield* this.nodes.values();
  }

  /** Follow symlinks (in any path component) inside the image root; undefined if dangling or looping. */
  resolve(path: string): string | undefined {
    let hops = 0;
    let pending = path.split('/').filter(Boolean);
    let done: string[] = [];
    while (pending.length > 0) {
      const seg = pending.shift()!;
      const candidate = [...done, seg].join('/');
      const node = this.nodes.get(candidate);
      if (node?.entry.type === 'symlink' && node.entry.link !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        // link targets were normalised to root-relative paths when the layer was walked
        pending = [...node.entry.link.split('/').filter(Boolean), ...pending];
        done = [];
        continue;
      }
      done.push(seg);
    }
    const final = done.join('/');
    return this.nodes.has(final) ? final : undefined;
  }

  /** Content of the visible file at `path` (symlinks and hard links followed), if a claim captured it. */
  read(path: string): CapturedFile | undefined {
    const real = this.resolve(path);
    if (real === undefined) return undefined;
    const node = this.nodes.get(real)!;
    if (node.entry.type === 'hardlink' && node.entry.link) return this.visibleCapture.get(node.entry.link);
    return this.visibleCapture.get(real);
  }

  /** Every captured version of every claimed file, in layer order, deleted ones included. */
  history(): readonly CapturedFile[] {
    return this.captured;
  }
}
