import { severityRank, type Finding, type Severity } from '../types.js';

export interface FindingFilter {
  /** Keep only these severities (the CLI accepts a list or a threshold). */
  severities?: ReadonlySet<Severity>;
  ignoreUnfixed?: boolean;
}

/** --ignore-unfixed concerns vulnerabilities only; --severity every kind. */
export function filterFindings<F extends Finding>(findings: F[], filter: FindingFilter): F[] {
  return findings.filter((f) => {
    if (filter.ignoreUnfixed && f.kind === 'vulnerability' && f.status === 'unfixed') return false;
    if (filter.severities && !filter.severities.has(f.severity)) return false;
    return true;
  });
}

/** Severity ordering helper shared by reporters and the CLI threshold syntax ("HIGH+"). */
export function atLeast(threshold: Severity): Set<Severity> {
  const rank = severityRank(threshold);
  return new Set((['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'] as Severity[]).filter((s) => severityRank(s) <= rank));
}
