/**
 * The part of an event's `data` that notifications read, and tolerant readers for it.
 * Events are stored as JSON and outlive the code that wrote them, so every field is
 * checked on the way out instead of trusted.
 *
 * finding.new / finding.fixable / finding.gone: `data.finding` is a FindingRecord
 * summary (what src/server/service.ts `findingEventData` writes):
 *   { kind, id, severity, package, purl, installedVersion, fixedVersion, kev, path,
 *     firstSeen, fixedAt }   (absent values are null)
 *
 * image.scanned (a first scan of a digest): `data.counts` holds open findings by
 * severity. Optional `data.fixable`, `data.kev` and `data.fixableKev` hold the same
 * counts restricted to fixable, KEV and fixable-KEV findings (see scanCountsData); without
 * them a subscription with onlyFixable/onlyKev cannot tell and is not sent the event.
 */
import { SEVERITY_ORDER, type Finding, type Severity } from '../../types.js';
import type { EventRecord, FindingChange } from '../model.js';

/** The events a notification is built from; every other type is ignored. */
export const NOTIFY_EVENT_TYPES = ['finding.new', 'finding.fixable', 'finding.gone', 'image.scanned'] as const;

export type SeverityCounts = Record<Severity, number>;

export interface FindingSummary {
  kind: Finding['kind'];
  id: string;
  severity: Severity;
  package?: string;
  /** Package URL: tells two packages of one name apart (an OS package and a bundled jar). */
  purl?: string;
  installedVersion?: string;
  /** 'unfixed' or the lowest fixing version; absent for config/secret/malware findings. */
  fixedVersion?: string;
  kev: boolean;
  path?: string;
}

export interface ScanCounts {
  counts: SeverityCounts;
  fixable?: SeverityCounts;
  kev?: SeverityCounts;
  fixableKev?: SeverityCounts;
}

const KINDS: ReadonlySet<string> = new Set(['vulnerability', 'config', 'secret', 'malware']);
const SEVERITIES: ReadonlySet<string> = new Set(SEVERITY_ORDER);

export function zeroCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as SeverityCounts;
}

export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && SEVERITIES.has(v);
}

/** The change a finding event reports, or undefined for other event types. */
export function changeOf(type: EventRecord['type']): FindingChange | undefined {
  switch (type) {
    case 'finding.new':
      return 'new';
    case 'finding.fixable':
      return 'fixable';
    case 'finding.gone':
      return 'gone';
    default:
      return undefined;
  }
}

/** The finding a finding event is about; undefined when its data is not readable. */
export function readFinding(event: EventRecord): FindingSummary | undefined {
  const f = asObject(event.data?.finding);
  if (!f) return undefined;
  const id = str(f.id) ?? event.findingId;
  const severity = isSeverity(f.severity) ? f.severity : event.severity;
  const kind = typeof f.kind === 'string' && KINDS.has(f.kind) ? (f.kind as Finding['kind']) : undefined;
  if (!id || !severity || !kind) return undefined;
  const out: FindingSummary = { kind, id, severity, kev: f.kev === true };
  // `packageName` is the FindingRecord field name: accept it too
  const pkg = str(f.package) ?? str(f.packageName);
  if (pkg) out.package = pkg;
  const purl = str(f.purl);
  if (purl) out.purl = purl;
  const installed = str(f.installedVersion);
  if (installed) out.installedVersion = installed;
  const fixed = str(f.fixedVersion);
  if (fixed) out.fixedVersion = fixed;
  const path = str(f.path);
  if (path) out.path = path;
  return out;
}

/** The counts of an image.scanned event; undefined when it has none. */
export function readScanCounts(event: EventRecord): ScanCounts | undefined {
  const counts = readCounts(event.data?.counts);
  if (!counts) return undefined;
  const out: ScanCounts = { counts };
  const fixable = readCounts(event.data?.fixable);
  if (fixable) out.fixable = fixable;
  const kev = readCounts(event.data?.kev);
  if (kev) out.kev = kev;
  const fixableKev = readCounts(event.data?.fixableKev);
  if (fixableKev) out.fixableKev = fixableKev;
  return out;
}

export function isFixable(f: { fixedVersion?: string }): boolean {
  return f.fixedVersion !== undefined && f.fixedVersion !== 'unfixed';
}

/**
 * The optional image.scanned counts, for the code that writes the event: spread into its
 * data next to `counts` so onlyFixable/onlyKev subscriptions learn of first scans too.
 */
export function scanCountsData(findings: ReadonlyArray<{ severity: Severity; fixedVersion?: string; kev?: boolean }>): Required<ScanCounts> {
  const out: Required<ScanCounts> = { counts: zeroCounts(), fixable: zeroCounts(), kev: zeroCounts(), fixableKev: zeroCounts() };
  for (const f of findings) {
    out.counts[f.severity]++;
    const fixable = isFixable(f);
    if (fixable) out.fixable[f.severity]++;
    if (f.kev) out.kev[f.severity]++;
    if (fixable && f.kev) out.fixableKev[f.severity]++;
  }
  return out;
}

function readCounts(v: unknown): SeverityCounts | undefined {
  const o = asObject(v);
  if (!o) return undefined;
  const out = zeroCounts();
  for (const s of SEVERITY_ORDER) {
    const n = o[s];
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0) out[s] = n;
  }
  return out;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
