/**
 * config/default-credentials-htpasswd: Apache/nginx basic-auth files whose hashes match
 * a well-known password. Every guess is hashed the way the entry is; schemes that
 * cannot be checked (crypt, SHA-512 crypt, ...) are skipped, never guessed at.
 */
import type { RuleHit } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { BcryptBudget, hashScheme, weakHashReason } from '../password-hash.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { lines, quoteForMessage } from '../text.js';
import { describeWeak } from '../weak-passwords.js';

/** Users checked per file: a generated file with thousands of users is not a default. */
export const MAX_HTPASSWD_USERS = 50;

const NOT_DATA_NAME = /\.(gz|bz2|xz|zst|[0-9]|c|h|o|so|py|rb|pl|sh|js|go|html?|md)$/;
const NOT_DATA_DIR = /(^|\/)(bin|sbin|libexec|share\/(man|doc|bash-completion|zsh|fish))\//;

export const htpasswdDefaultCredentials: FileRule = {
  id: 'config/default-credentials-htpasswd',
  kind: 'config',
  severity: 'HIGH',
  title: 'htpasswd user with a default password',
  remediation:
    'Remove the htpasswd file from the image and mount it at runtime, with passwords created by htpasswd -B from a secret store',
  references: [...NIST_CONFIG_DEFECTS, 'CIS Docker 4.10'],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    const name = baseName(path);
    if (name === '.htpasswd' || name.endsWith('.htpasswd')) return true;
    // htpasswd* also names the tool itself, its man page and completion scripts.
    return name.startsWith('htpasswd') && !NOT_DATA_NAME.test(name) && !NOT_DATA_DIR.test(path);
  },
  check(content) {
    const hits: RuleHit[] = [];
    if (content.includes('\0')) return hits;
    const budget = new BcryptBudget();
    let users = 0;
    for (const { line, text } of lines(content)) {
      const t = text.trim();
      if (t === '' || t.startsWith('#')) continue;
      const colon = t.indexOf(':');
      if (colon <= 0) continue;
      const user = t.slice(0, colon);
      const hash = t.slice(colon + 1);
      if (hashScheme(hash) === undefined) continue;
      if (++users > MAX_HTPASSWD_USERS) break;
      const reason = weakHashReason(user, hash, budget);
      if (reason === undefined) continue;
      hits.push({
        message: `htpasswd user '${quoteForMessage(user, 64)}' has a well-known password: ${describeWeak(reason)} (${schemeName(hash)})`,
        line,
      });
    }
    return hits;
  },
};

function schemeName(hash: string): string {
  switch (hashScheme(hash)) {
    case 'bcrypt':
      return 'bcrypt';
    case 'apr1':
      return 'Apache MD5';
    case 'sha1':
      return 'SHA-1';
    default:
      return 'stored in plain text';
  }
}
