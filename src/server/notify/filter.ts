/**
 * Which events of a batch one subscription wants. Filters combine with AND: a finding is
 * kept when its image matches the repository pattern, its severity is at or above
 * minSeverity, it has a fix (onlyFixable) and it is known exploited (onlyKev).
 */
import picomatch from 'picomatch';
import { severityRank } from '../../types.js';
import type { EventRecord, FindingChange, Subscription } from '../model.js';
import { changeOf, isFixable, readFinding, readScanCounts, type FindingSummary, type SeverityCounts } from './events.js';

export type SubscriptionFilter = Pick<Subscription, 'repositoryPattern' | 'minSeverity' | 'onlyFixable' | 'onlyKev'>;

export interface SelectedFinding {
  eventId: number;
  change: FindingChange;
  finding: FindingSummary;
}

/** What is left of a batch for one subscription. */
export interface Selection {
  findings: SelectedFinding[];
  /** From the batch's image.scanned event, with the subscription's filters applied to the counts. */
  scan?: { eventId: number; counts: SeverityCounts };
  /** The events the selection came from (for the delivery record). */
  eventIds: number[];
}

const matchers = new Map<string, picomatch.Matcher>();

function matcher(pattern: string): picomatch.Matcher {
  let m = matchers.get(pattern);
  if (!m) {
    // subscriptions are few; the bound only guards against a caller passing arbitrary patterns
    if (matchers.size >= 1000) matchers.clear();
    m = picomatch(pattern, { dot: true });
    matchers.set(pattern, m);
  }
  return m;
}

/**
 * The pattern is tried on "registry/repository" and on "repository" alone, so
 * `team/*` works for every registry and `registry.local:5000/team/**` for one.
 */
export function matchesRepository(pattern: string | undefined, image: { registry: string; repository: string }): boolean {
  if (pattern === undefined || pattern === '') return true;
  const m = matcher(pattern);
  return m(`${image.registry}/${image.repository}`) || m(image.repository);
}

export function passesFinding(filter: SubscriptionFilter, f: FindingSummary): boolean {
  if (filter.minSeverity !== undefined && severityRank(f.severity) > severityRank(filter.minSeverity)) return false;
  if (filter.onlyFixable && !isFixable(f)) return false;
  if (filter.onlyKev && !f.kev) return false;
  return true;
}

function hasFilters(filter: SubscriptionFilter): boolean {
  return filter.minSeverity !== undefined || filter.onlyFixable || filter.onlyKev;
}

/**
 * The findings and scan counts of `events` (all about one image) that pass the
 * subscription's severity, fixable and KEV filters; undefined when nothing is left.
 * The repository pattern is the caller's: it depends on the image, not the events.
 */
export function selectEvents(filter: SubscriptionFilter, events: readonly EventRecord[]): Selection | undefined {
  const findings: SelectedFinding[] = [];
  const seen = new Set<string>();
  const eventIds: number[] = [];
  let scan: Selection['scan'];
  for (const e of events) {
    const change = changeOf(e.type);
    if (change) {
      const f = readFinding(e);
      if (!f || !passesFinding(filter, f)) continue;
      // the same change reported twice (a retried job) is one line
      const key = [change, f.kind, f.id, f.package ?? '', f.installedVersion ?? '', f.path ?? ''].join('\0');
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ eventId: e.id, change, finding: f });
      eventIds.push(e.id);
    } else if (e.type === 'image.scanned') {
      const counts = scanCounts(filter, e);
      if (!counts) continue;
      // one scan per image is expected; if there are more, the latest counts stand
      if (!scan || e.id > scan.eventId) scan = { eventId: e.id, counts };
      eventIds.push(e.id);
    }
  }
  if (findings.length === 0 && !scan) return undefined;
  return { findings, ...(scan ? { scan } : {}), eventIds };
}

/**
 * A first scan's counts as this subscription sees them. A clean first scan is news for an
 * unfiltered subscription, but not for one that asked only for some findings.
 */
function scanCounts(filter: SubscriptionFilter, e: EventRecord): SeverityCounts | undefined {
  const data = readScanCounts(e);
  if (!data) return undefined;
  const table = filter.onlyFixable && filter.onlyKev ? data.fixableKev : filter.onlyKev ? data.kev : filter.onlyFixable ? data.fixable : data.counts;
  if (!table) return undefined;
  const counts = { ...table };
  if (filter.minSeverity !== undefined) {
    const limit = severityRank(filter.minSeverity);
    for (const s of Object.keys(counts) as Array<keyof SeverityCounts>) if (severityRank(s) > limit) counts[s] = 0;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0 && hasFilters(filter)) return undefined;
  return counts;
}
