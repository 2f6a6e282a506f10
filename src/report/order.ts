/**
 * The one order findings are shown in, by every format that lists them.
 */
import { severityRank, type VulnerabilityFinding } from '../types.js';

/** Worst severity first, then package name, then id (CVE-2023-4911 before CVE-2023-45853); installed version only breaks ties. */
export function compareFindings(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.package.name.localeCompare(b.package.name, 'en') ||
    a.id.localeCompare(b.id, 'en', { numeric: true }) ||
    a.installedVersion.localeCompare(b.installedVersion, 'en')
  );
}

export { compareRuleFindings } from '../check/rule.js';
