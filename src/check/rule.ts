/**
 * The one shape every config, secret and malware check has: a rule object in a table.
 * Adding a check is adding a rule; the runners, reporters and docs/rules.md read the table.
 */
import { severityRank, type RuleFinding, type RuleFindingBase, type Severity } from '../types.js';

export type RuleKind = 'config' | 'secret' | 'malware';

export interface RuleInfo {
  /** Stable, never reused: category/name, e.g. config/root-user. */
  readonly id: string;
  readonly kind: RuleKind;
  readonly severity: Severity;
  readonly title: string;
  /** One line: what to change so the finding goes away. */
  readonly remediation: string;
  /** CIS Docker Benchmark v1.6 / NIST SP 800-190 sections, e.g. "CIS Docker 4.1", "NIST SP 800-190 3.1.2". */
  readonly references: readonly string[];
}

/** One occurrence a rule found; the runner adds the rule's id, title, remediation. */
export interface RuleHit {
  message: string;
  path?: string;
  layer?: number;
  line?: number;
  field?: string;
  removedInLayer?: number;
  /** Overrides the rule's severity for this hit (documented example keys are LOW). */
  severity?: Severity;
}

export function findingFields(rule: RuleInfo, hit: RuleHit): RuleFindingBase {
  const out: RuleFindingBase = {
    ruleId: rule.id,
    severity: hit.severity ?? rule.severity,
    title: rule.title,
    message: hit.message,
    remediation: rule.remediation,
    references: [...rule.references],
  };
  if (hit.path !== undefined) out.path = hit.path;
  if (hit.layer !== undefined) out.layer = hit.layer;
  if (hit.line !== undefined) out.line = hit.line;
  if (hit.field !== undefined) out.field = hit.field;
  if (hit.removedInLayer !== undefined) out.removedInLayer = hit.removedInLayer;
  return out;
}

/** Line number (1-based) of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Config, secret and malware findings: worst first, then rule, then where (path or field, layer, line). */
export function compareRuleFindings(a: RuleFinding, b: RuleFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.ruleId.localeCompare(b.ruleId, 'en') ||
    (a.path ?? a.field ?? '').localeCompare(b.path ?? b.field ?? '', 'en', { numeric: true }) ||
    (a.layer ?? -1) - (b.layer ?? -1) ||
    (a.line ?? 0) - (b.line ?? 0)
  );
}
