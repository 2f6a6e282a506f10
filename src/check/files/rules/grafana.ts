/**
 * config/default-credentials-grafana: grafana.ini that leaves the admin password at
 * Grafana's built-in default (admin/admin), either by not setting it or by setting it
 * to admin. The GF_SECURITY_ADMIN_PASSWORD environment variable overrides the file,
 * so the unset case is the lower severity.
 */
import type { RuleHit } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { iniEntries, quoteForMessage } from '../text.js';

export const grafanaDefaultCredentials: FileRule = {
  id: 'config/default-credentials-grafana',
  kind: 'config',
  severity: 'HIGH',
  title: 'Grafana admin keeps the default password',
  remediation:
    'Set [security] admin_password from a secret at runtime (GF_SECURITY_ADMIN_PASSWORD or $__file{...}) and never leave it at admin',
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    return baseName(path) === 'grafana.ini';
  },
  check(content) {
    // go-ini (Grafana's parser) treats # and ; after whitespace as inline comments.
    const security = iniEntries(content, { inlineComments: true }).filter((e) => e.section === 'security');
    const user = last(security, 'admin_user')?.value || 'admin';
    const password = last(security, 'admin_password');
    const hits: RuleHit[] = [];
    if (password === undefined) {
      hits.push({
        message: `Grafana admin user '${quoteForMessage(user, 64)}' keeps the default password: [security] admin_password is not set, so Grafana uses admin unless GF_SECURITY_ADMIN_PASSWORD is given at runtime`,
        severity: 'MEDIUM',
      });
    } else if (password.value === 'admin') {
      hits.push({
        message: `Grafana admin user '${quoteForMessage(user, 64)}' has a well-known password: [security] admin_password is the default`,
        line: password.line,
      });
    } else if (!password.value) {
      hits.push({
        message: `Grafana admin user '${quoteForMessage(user, 64)}' has no password set in the file: [security] admin_password is empty`,
        line: password.line,
        severity: 'MEDIUM',
      });
    }
    return hits;
  },
};

function last<T extends { key: string }>(entries: T[], key: string): T | undefined {
  return entries.filter((e) => e.key === key).at(-1);
}
