/** Pick findings of one kind out of a scan's mixed list, typed. */
import type { ConfigFinding, Finding, MalwareFinding, SecretFinding, VulnerabilityFinding } from '../types.js';

export function vulnerabilityFindings(findings: readonly Finding[]): VulnerabilityFinding[] {
  return findings.filter((f): f is VulnerabilityFinding => f.kind === 'vulnerability');
}

export function configFindings(findings: readonly Finding[]): ConfigFinding[] {
  return findings.filter((f): f is ConfigFinding => f.kind === 'config');
}

export function secretFindings(findings: readonly Finding[]): SecretFinding[] {
  return findings.filter((f): f is SecretFinding => f.kind === 'secret');
}

export function malwareFindings(findings: readonly Finding[]): MalwareFinding[] {
  return findings.filter((f): f is MalwareFinding => f.kind === 'malware');
}
