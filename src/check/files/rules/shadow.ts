/**
 * config/empty-password: /etc/shadow accounts whose password field is empty, so login
 * (su, login, sshd with PermitEmptyPasswords) needs no password. Locked (!, !!, !*) and
 * disabled (*) fields are what base images ship, and are fine.
 */
import type { RuleHit } from '../../rule.js';
import { CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { lines, quoteForMessage } from '../text.js';

export const emptyPassword: FileRule = {
  id: 'config/empty-password',
  kind: 'config',
  severity: 'HIGH',
  title: 'Account with an empty password',
  remediation: "Lock the account's password in the image (passwd -l <user>, or usermod -p '*' <user>)",
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    return path === 'etc/shadow';
  },
  check(content) {
    const hits: RuleHit[] = [];
    for (const { line, text } of lines(content)) {
      const fields = text.split(':');
      const [name, password] = fields;
      // Not an entry (blank, comment, NIS +/- lines): skip rather than guess.
      if (fields.length < 2 || !name || name.startsWith('#') || name.startsWith('+') || name.startsWith('-')) continue;
      if (password !== '') continue;
      hits.push({
        message: `Account '${quoteForMessage(name, 64)}' has an empty password field in /etc/shadow: it can log in without a password`,
        line,
        severity: name === 'root' ? 'CRITICAL' : 'HIGH',
      });
    }
    return hits;
  },
};
