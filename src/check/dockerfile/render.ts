/**
 * Reports for `cavas lint` until it goes through the shared reporters: a table for people
 * and a JSON document (schema cavas.lint-result/v1) for machines.
 */
import Table from 'cli-table3';
import { BOLD, clean, paint as paintIf, SEVERITY_COLOR } from '../../report/terminal.js';
import { SEVERITY_ORDER, type ConfigFinding, type Severity } from '../../types.js';
import { CAVAS_VERSION } from '../../util/version.js';

export const LINT_RESULT_SCHEMA = 'cavas.lint-result/v1';

export interface LintResult {
  schema: typeof LINT_RESULT_SCHEMA;
  tool: { name: 'cavas'; version: string };
  target: { kind: 'dockerfile'; path: string };
  findings: ConfigFinding[];
  summary: { findings: number; bySeverity: Record<Severity, number> };
}

export function lintResult(path: string, findings: ConfigFinding[]): LintResult {
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  return {
    schema: LINT_RESULT_SCHEMA,
    tool: { name: 'cavas', version: CAVAS_VERSION },
    target: { kind: 'dockerfile', path },
    findings,
    summary: { findings: findings.length, bySeverity },
  };
}

export function renderLintJson(result: LintResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

export function renderLintTable(result: LintResult, opts: { color: boolean }): string {
  const paint = (text: string, code: string): string => paintIf(text, code, opts.color);
  const counts = SEVERITY_ORDER.map((s) => `${s}: ${result.summary.bySeverity[s]}`).join(', ');
  const lines = [`Dockerfile: ${clean(result.target.path)}`, `Total: ${result.summary.findings} (${counts})`];
  if (result.findings.length > 0) {
    const table = new Table({
      head: ['Line', 'Rule', 'Severity', 'Message'].map((h) => paint(h, BOLD)),
      style: { head: [], border: [], compact: true },
    });
    for (const f of result.findings) {
      table.push([f.line === undefined ? '' : String(f.line), f.ruleId, paint(f.severity, SEVERITY_COLOR[f.severity]), clean(f.message)]);
    }
    lines.push(table.toString());
  }
  return lines.join('\n') + '\n';
}
