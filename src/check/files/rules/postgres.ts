/**
 * config/postgres-trust-auth: pg_hba.conf records with the trust method, which lets a
 * client log in as any database user, superuser included, without a password.
 */
import { isIP } from 'node:net';
import type { RuleHit } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { lines, quoteForMessage } from '../text.js';

const HOST_TYPES = new Set(['host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc']);
const LOOPBACK = new Set(['127.0.0.1/32', '::1/128', 'localhost', 'samehost']);

export const postgresTrustAuth: FileRule = {
  id: 'config/postgres-trust-auth',
  kind: 'config',
  severity: 'HIGH',
  title: 'PostgreSQL trust authentication',
  remediation:
    "Replace trust with scram-sha-256 in pg_hba.conf (or peer for local socket lines) and set the users' passwords at runtime",
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    return baseName(path) === 'pg_hba.conf';
  },
  check(content) {
    const hits: RuleHit[] = [];
    for (const rec of records(content)) {
      const [type, , , ...rest] = rec.fields;
      if (type === undefined) continue;
      let method: string | undefined;
      let address: string | undefined;
      if (type === 'local') {
        method = rec.fields[3];
      } else if (HOST_TYPES.has(type)) {
        address = rest[0];
        // A bare IP address (no /len) is followed by a separate netmask field.
        method = address !== undefined && isIP(address) !== 0 ? rest[2] : rest[1];
      } else {
        continue;
      }
      if (method !== 'trust') continue;
      const shown = quoteForMessage(rec.fields.join(' '));
      if (type === 'local') {
        hits.push({ message: `pg_hba.conf trusts local socket connections without a password: ${shown}`, line: rec.line, severity: 'MEDIUM' });
      } else if (address !== undefined && LOOPBACK.has(address.toLowerCase())) {
        hits.push({ message: `pg_hba.conf trusts loopback TCP connections without a password: ${shown}`, line: rec.line, severity: 'MEDIUM' });
      } else {
        hits.push({ message: `pg_hba.conf trusts network connections without a password: ${shown}`, line: rec.line, severity: 'HIGH' });
      }
    }
    return hits;
  },
};

interface HbaRecord {
  fields: string[];
  line: number;
}

/** Records with their first line: comments stripped, "quoted" fields kept whole, \ continuations joined. */
function records(content: string): HbaRecord[] {
  const out: HbaRecord[] = [];
  let pending: HbaRecord | undefined;
  for (const { line, text } of lines(content)) {
    const continued = /\\\s*$/.test(text);
    const fields = [...text.replace(/\\\s*$/, '').matchAll(/(?:"[^"]*"|[^\s#"])+|#.*$/g)]
      .map((m) => m[0])
      .filter((f) => !f.startsWith('#'));
    if (pending) pending.fields.push(...fields);
    else if (fields.length > 0) pending = { fields, line };
    if (!continued && pending) {
      out.push(pending);
      pending = undefined;
    }
  }
  if (pending) out.push(pending);
  return out;
}
