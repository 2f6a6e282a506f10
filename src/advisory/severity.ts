/**
 * Maps the severity words feeds use onto cavas' Severity scale.
 */
import type { Severity } from '../types.js';

/**
 * Debian tracker urgencies (a trailing '*' or '**' only marks the urgency as not yet
 * reviewed, so it is dropped), GHSA database_specific.severity words and the CVSS
 * qualitative ratings. 'not yet assigned', 'end-of-life' and 'unknown' are known words that
 * carry no severity.
 */
const VENDOR_WORDS: ReadonlyMap<string, Severity> = new Map<string, Severity>([
  ['unimportant', 'NEGLIGIBLE'],
  ['negligible', 'NEGLIGIBLE'],
  ['none', 'NEGLIGIBLE'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['moderate', 'MEDIUM'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
  ['not yet assigned', 'UNKNOWN'],
  ['end-of-life', 'UNKNOWN'],
  ['unknown', 'UNKNOWN'],
]);

function vendorKey(s: string): string {
  return s.replace(/\*+/g, '').trim().toLowerCase();
}

/** Vendor severity word -> Severity; anything unrecognised (or missing) is UNKNOWN. */
export function normaliseVendorSeverity(s: string | undefined): Severity {
  if (s === undefined) return 'UNKNOWN';
  return VENDOR_WORDS.get(vendorKey(s)) ?? 'UNKNOWN';
}

/** Whether normaliseVendorSeverity knows the word, so parsers can warn about new ones. */
export function isKnownVendorSeverity(s: string): boolean {
  return VENDOR_WORDS.has(vendorKey(s));
}

/** CVSS v3/v4 qualitative rating bands; a 0.0 score ("None") counts as NEGLIGIBLE. */
export function severityFromScore(score: number): Severity {
  if (!Number.isFinite(score) || score < 0) return 'UNKNOWN';
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'NEGLIGIBLE';
}
