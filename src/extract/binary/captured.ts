import type { CapturedFile, ImageFilesystem } from '../../image/filesystem.js';
import type { FileClaim } from '../../image/layer.js';

/**
 * The visible captured files a claim would have asked for. Captures are not labelled
 * with their claim; `marker` (the start of a claim's reduced output) tells them apart
 * where another claim could have taken the same path first.
 */
export function capturedFor(fs: ImageFilesystem, claim: FileClaim, marker?: Buffer): CapturedFile[] {
  return fs.history().filter((f) => {
    if (f.removedInLayer !== undefined) return false;
    const node = fs.get(f.path);
    if (!node || node.entry.type !== 'file' || !claim.wants(f.path, node.entry)) return false;
    return marker === undefined || f.content.subarray(0, marker.length).equals(marker);
  });
}
