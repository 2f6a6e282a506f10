/**
 * A finding's identity within one inventory: what stays the same when the same problem is
 * found again by a later scan or re-match, while severity, fix version, title or message
 * may change. Two findings with one key are the same finding.
 */
import type { Finding } from '../../types.js';

export function findingKey(f: Finding): string {
  if (f.kind === 'vulnerability') return `vuln|${f.id}|${f.package.purl}|${f.layer}`;
  let where = f.path ?? f.field ?? '';
  // Several hits can sit in one archive (a jar's members): the member tells them apart.
  if (f.kind === 'malware' && f.member) where += `!${f.member}`;
  return `${f.kind}|${f.ruleId}|${where}|${f.layer ?? ''}|${f.line ?? ''}`;
}
