/**
 * Decides whether one advisory statement about a package applies to an installed version.
 * Generic over ecosystems: the version order comes from the ecosystem's scheme, so the
 * same code serves distro feeds (fixed version) and OSV ranges.
 */
import type { AffectedPackage, AffectedRange } from '../advisory/model.js';
import type { VersionScheme } from '../version/index.js';

export type Verdict = { affected: false } | { affected: true; fixedVersion?: string };

const NOT_AFFECTED: Verdict = { affected: false };

export function evaluateAffected(statement: AffectedPackage, installed: string, scheme: VersionScheme): Verdict {
  if (statement.status === 'not_affected') return NOT_AFFECTED;
  if (statement.versions?.includes(installed)) return { affected: true, ...fixedAfter(statement.ranges, installed, scheme) };
  if (statement.ranges && statement.ranges.length > 0) {
    for (const range of statement.ranges) {
      const verdict = evaluateRange(range, installed, scheme);
      if (verdict.affected) return verdict;
    }
    return NOT_AFFECTED;
  }
  if (statement.status === 'unfixed') return { affected: true };
  if (statement.fixedVersion === undefined) {
    // 'fixed' with nothing to compare against and no explicit versions: nothing to match
    return statement.versions ? NOT_AFFECTED : { affected: true };
  }
  return scheme.compare(installed, statement.fixedVersion) < 0 ? { affected: true, fixedVersion: statement.fixedVersion } : NOT_AFFECTED;
}

/**
 * OSV range semantics: events sorted by version; a version is affected when the last
 * event at or below it is an `introduced`. `fixed` and `limit` are exclusive upper bounds,
 * `last_affected` an inclusive one. Introduced "0" means from the beginning.
 */
export function evaluateRange(range: AffectedRange, installed: string, scheme: VersionScheme): Verdict {
  type Point = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; version: string };
  const points: Point[] = [];
  for (const e of range.events) {
    if (e.introduced !== undefined) points.push({ kind: 'introduced', version: e.introduced });
    if (e.fixed !== undefined) points.push({ kind: 'fixed', version: e.fixed });
    if (e.last_affected !== undefined) points.push({ kind: 'last_affected', version: e.last_affected });
    if (e.limit !== undefined) points.push({ kind: 'limit', version: e.limit });
  }
  const cmp = (a: string, b: string): number => (a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : scheme.compare(a, b));
  const limits = points.filter((p) => p.kind === 'limit');
  if (limits.length > 0 && limits.every((l) => l.version !== '*' && cmp(installed, l.version) >= 0)) return NOT_AFFECTED;

  const ordered = points.filter((p) => p.kind !== 'limit').sort((a, b) => cmp(a.version, b.version));
  let state: Verdict = NOT_AFFECTED;
  for (let i = 0; i < ordered.length; i++) {
    const p = ordered[i]!;
    const c = cmp(installed, p.version);
    if (p.kind === 'introduced') {
      if (c < 0) break;
      const fix = ordered.slice(i + 1).find((q) => q.kind === 'fixed');
      state = fix ? { affected: true, fixedVersion: fix.version } : { affected: true };
    } else if (p.kind === 'fixed') {
      if (c < 0) break;
      state = NOT_AFFECTED;
    } else {
      // last_affected: the version itself is still affected
      if (c <= 0) break;
      state = NOT_AFFECTED;
    }
  }
  return state;
}

function fixedAfter(ranges: AffectedRange[] | undefined, installed: string, scheme: VersionScheme): { fixedVersion?: string } {
  for (const range of ranges ?? []) {
    const verdict = evaluateRange(range, installed, scheme);
    if (verdict.affected && verdict.fixedVersion) return { fixedVersion: verdict.fixedVersion };
  }
  return {};
}
