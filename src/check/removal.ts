/**
 * Which later layer deleted or replaced a file version: a file removed in layer 9 is still
 * inside layer 7's blob for anyone who pulls the image, so findings say both.
 */
import type { LayerAnalysis } from '../image/layer.js';

export class RemovalIndex {
  private readonly entryPaths: Array<Set<string> | undefined> = [];

  constructor(private readonly layers: readonly LayerAnalysis[]) {}

  /** The first layer after `layer` whose whiteouts, opaque dirs or own entries hide `path`. */
  removedIn(path: string, layer: number): number | undefined {
    for (let i = layer + 1; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      if (l.whiteouts.some((w) => w === path || path.startsWith(w + '/'))) return i;
      if (l.opaqueDirs.some((d) => path.startsWith(d + '/'))) return i;
      if (this.paths(i).has(path)) return i;
    }
    return undefined;
  }

  private paths(i: number): Set<string> {
    let set = this.entryPaths[i];
    if (!set) {
      // a directory entry at the same path does not replace a file's content, but a later
      // file there does; parent directories repeated by Docker are dirs, never the file itself
      set = new Set(this.layers[i]!.entries.filter((e) => e.type !== 'dir').map((e) => e.path));
      this.entryPaths[i] = set;
    }
    return set;
  }
}
