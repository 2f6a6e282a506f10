/** Test-only: run one file rule the way the runner does, after asking whether it wants the path. */
import assert from 'node:assert/strict';
import type { RuleHit } from '../../../src/check/rule.js';
import type { FileRule } from '../../../src/check/files/file-rule.js';

export function run(rule: FileRule, path: string, content: string): RuleHit[] {
  assert.ok(rule.wants(path), `${rule.id} should want ${path}`);
  assert.ok(Buffer.byteLength(content) <= rule.maxBytes, 'fixture over maxBytes');
  return rule.check(content, path);
}

/** Messages and lines only: what most assertions compare. */
export function brief(hits: RuleHit[]): Array<{ line?: number; severity?: string; message: string }> {
  return hits.map((h) => ({ line: h.line, severity: h.severity, message: h.message }));
}
