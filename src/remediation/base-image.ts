/**
 * Which leading layers an image inherited from its base image. Remediation depends on it:
 * a finding in a base layer goes away by rebuilding on an updated base, one in the
 * application's layers needs a change to the application's own build.
 *
 * When the evidence is thin the answer leans towards "application": wrongly promising
 * that a base update fixes something is worse than sending the user to their own build.
 */
import type { HistoryEntry, ImageMeta } from '../types.js';
import { CavasError } from '../util/errors.js';

export interface BaseImageSplit {
  /** How many leading layers come from the base image (0 = none known, layers.length = all). */
  baseLayers: number;
  /** How many leading history steps belong to the base (empty steps such as its CMD included). */
  baseHistorySteps: number;
  /** One line saying why, for reports. */
  evidence: string;
}

/**
 * A Dockerfile's last CMD/ENTRYPOINT is the closing step of an image's history; when it is
 * followed by more layers, those were built FROM that image. Buildkit records `CMD ["bash"]`,
 * the classic builder and buildah `/bin/sh -c #(nop)  CMD ["/bin/sh"]`.
 */
const CLOSING_STEP = /^(?:\/bin\/sh -c #\(nop\)\s*)?(?:CMD|ENTRYPOINT)\b/i;

/**
 * How OS base images lay down their root filesystem: ADD of a local tarball at /
 * (`ADD rootfs.tar.gz /`, classic `ADD file:<hex> in / `) or docker-library's debian.sh.
 */
const ROOTFS_STEP =
  /^(?:(?:\/bin\/sh -c #\(nop\)\s*)?ADD\s+(?:--\S+\s+)*(?:file:[0-9a-f]+\s+in\s+\/|\S+\.(?:tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tar\.zst)\s+\/)(?:\s|$)|#\s*debian\.sh\b)/i;

const BASE_LABELS = ['org.opencontainers.image.base.name', 'org.opencontainers.image.base.digest'];

export function isClosingStep(h: HistoryEntry): boolean {
  // a step that made a layer is a RUN/COPY/ADD whatever its text says
  return h.emptyLayer && CLOSING_STEP.test((h.createdBy ?? '').trim());
}

export function isRootfsStep(h: HistoryEntry): boolean {
  return !h.emptyLayer && ROOTFS_STEP.test((h.createdBy ?? '').trim());
}

/**
 * Decide the base/application split. Evidence, strongest first: a count the caller knows
 * (e.g. from scanning the base image); else the history's last closing CMD/ENTRYPOINT that
 * more layers follow; else the leading root-filesystem ADDs of an image built from scratch.
 */
export function baseImageSplit(image: ImageMeta, opts: { baseLayers?: number } = {}): BaseImageSplit {
  const total = image.layers.length;
  const history = image.history ?? [];
  const labels = labelNote(image);

  if (opts.baseLayers !== undefined) {
    const n = opts.baseLayers;
    if (!Number.isInteger(n) || n < 0 || n > total) {
      throw new CavasError('USAGE', `base layer count ${String(n)} is not between 0 and the image's ${total} layers`);
    }
    return { baseLayers: n, baseHistorySteps: historyStepsFor(history, n), evidence: `${n} base layers given by the caller${labels}` };
  }

  const layerSteps = history.filter((h) => !h.emptyLayer).length;
  if (history.length === 0 || layerSteps !== total) {
    // without a history that maps onto the layers there is nothing to place a boundary on
    const why = history.length === 0 ? 'the image has no build history' : `the history names ${layerSteps} layers but the image has ${total}`;
    return { baseLayers: 0, baseHistorySteps: 0, evidence: `${why}: no base layers known, all counted as the application's${labels}` };
  }

  for (let i = history.length - 1; i >= 0; i--) {
    const step = history[i]!;
    if (!isClosingStep(step)) continue;
    const baseLayers = layersBefore(history, i);
    if (baseLayers === total) continue; // the image's own final CMD, nothing built on it
    return {
      baseLayers,
      baseHistorySteps: i + 1,
      evidence: `history[${i}] ${JSON.stringify(step.createdBy)} closes the base image; ${total - baseLayers} later layers are the application's${labels}`,
    };
  }

  let rootfs = 0;
  let steps = 0;
  for (const [i, h] of history.entries()) {
    if (h.emptyLayer) continue;
    if (!isRootfsStep(h)) break;
    rootfs++;
    steps = i + 1;
  }
  if (rootfs === total) {
    return { baseLayers: total, baseHistorySteps: history.length, evidence: `no image is built on another: every layer is a root filesystem ADD, so the whole image is a base image${labels}` };
  }
  if (rootfs > 0) {
    return {
      baseLayers: rootfs,
      baseHistorySteps: steps,
      evidence: `no closing CMD/ENTRYPOINT before later layers; the leading ${rootfs} root filesystem ADD layers are the base${labels}`,
    };
  }
  return { baseLayers: 0, baseHistorySteps: 0, evidence: `no closing CMD/ENTRYPOINT before later layers and no root filesystem ADD: no base layers known, all counted as the application's${labels}` };
}

/** Layers produced by history steps before index `end`. */
function layersBefore(history: HistoryEntry[], end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (!history[i]!.emptyLayer) n++;
  return n;
}

/**
 * History steps belonging to a base of `baseLayers` layers: through the step producing its
 * last layer, then the empty steps up to the last closing CMD/ENTRYPOINT before the next
 * layer (an ENV or WORKDIR there may as well be the application's, so it stays theirs).
 */
function historyStepsFor(history: HistoryEntry[], baseLayers: number): number {
  if (baseLayers === 0) return 0;
  let steps = 0;
  let seen = 0;
  for (const [i, h] of history.entries()) {
    if (!h.emptyLayer) {
      if (seen === baseLayers) break;
      seen++;
      steps = i + 1;
    } else if (seen === baseLayers && isClosingStep(h)) {
      steps = i + 1;
    }
  }
  return seen < baseLayers ? history.length : steps;
}

function labelNote(image: ImageMeta): string {
  const found = BASE_LABELS.flatMap((k) => {
    const v = image.config.Labels?.[k];
    return v ? [`${k}=${v}`] : [];
  });
  // the OCI base labels name the base but not how many layers it has
  return found.length > 0 ? ` (label ${found.join(', ')})` : '';
}
