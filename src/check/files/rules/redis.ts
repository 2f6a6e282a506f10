/**
 * config/redis-no-password: redis.conf that lets the default user in without a password.
 * Stock configs bind to loopback with protected-mode on, which keeps the open server
 * local to the container (MEDIUM); protected-mode off or a wildcard bind exposes it (HIGH).
 */
import type { RuleHit } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { lines, quoteForMessage } from '../text.js';

interface Directive {
  name: string;
  args: string[];
  line: number;
}

export const redisNoPassword: FileRule = {
  id: 'config/redis-no-password',
  kind: 'config',
  severity: 'HIGH',
  title: 'Redis without a password',
  remediation:
    'Set requirepass (or ACL users with passwords) from a runtime secret, keep protected-mode yes and bind only the interfaces clients use',
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    return baseName(path) === 'redis.conf';
  },
  check(content) {
    const ds = directives(content);
    // An included file or an ACL file may hold the password: not visible from here.
    if (ds.some((d) => d.name === 'include' || d.name === 'aclfile')) return [];
    const open = openUsers(ds);
    if (open.length === 0) return [];
    const who = open.includes('default')
      ? 'without a password (no requirepass and no ACL password for the default user)'
      : `without a password as ACL user '${quoteForMessage(open[0] ?? '', 64)}' (nopass)`;
    const exposure = exposedBy(ds);
    const hit: RuleHit = exposure
      ? { message: `Redis accepts clients ${who} and ${exposure.why}`, line: exposure.line, severity: 'HIGH' }
      : { message: `Redis accepts clients ${who}; only protected-mode and the loopback bind keep it local`, severity: 'MEDIUM' };
    return [hit];
  },
};

interface AclUser {
  enabled: boolean;
  /** nopass: any password, or none, logs in. */
  nopass: boolean;
}

/**
 * Users that log in without a password, default first. Later directives win, as in Redis:
 * requirepass sets the default user's password, `user` lines apply ACL rules in order.
 */
function openUsers(ds: Directive[]): string[] {
  // Redis creates the default user as `on nopass` before reading the file.
  const users = new Map<string, AclUser>([['default', { enabled: true, nopass: true }]]);
  for (const d of ds) {
    if (d.name === 'requirepass') {
      const u = users.get('default');
      if (u) u.nopass = (d.args[0] ?? '') === '';
    } else if (d.name === 'user' && d.args[0] !== undefined) {
      // A new ACL user starts off and without passwords.
      const u = users.get(d.args[0]) ?? { enabled: false, nopass: false };
      users.set(d.args[0], u);
      for (const rule of d.args.slice(1)) applyAclRule(u, rule);
    }
  }
  return [...users].filter(([, u]) => u.enabled && u.nopass).map(([name]) => name);
}

function applyAclRule(u: AclUser, rule: string): void {
  if (rule === 'on') u.enabled = true;
  else if (rule === 'off') u.enabled = false;
  else if (rule === 'nopass') u.nopass = true;
  else if (rule === 'resetpass' || rule.startsWith('>') || rule.startsWith('#')) u.nopass = false;
  else if (rule === 'reset') {
    u.enabled = false;
    u.nopass = false;
  }
}

/** Why other hosts can reach the open server, or undefined when it stays local. */
function exposedBy(ds: Directive[]): { why: string; line: number } | undefined {
  const pm = ds.filter((d) => d.name === 'protected-mode').at(-1);
  if (pm?.args[0]?.toLowerCase() === 'no') return { why: 'protected-mode is off', line: pm.line };
  // Before Redis 7, protected mode did nothing once a bind was configured.
  const bind = ds.filter((d) => d.name === 'bind').at(-1);
  const wildcard = bind?.args.find((a) => WILDCARD_BINDS.has(a));
  if (bind && wildcard) return { why: `it binds to ${wildcard}`, line: bind.line };
  return undefined;
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '-0.0.0.0', '*', '-*', '::', '-::', '::*', '-::*']);

/** Directive lines: comments dropped, name lower-cased, arguments with quotes removed. */
function directives(content: string): Directive[] {
  const out: Directive[] = [];
  for (const { line, text } of lines(content)) {
    const t = text.trim();
    if (t === '' || t.startsWith('#')) continue;
    const words = [...t.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
    const [name, ...args] = words;
    if (name !== undefined) out.push({ name: name.toLowerCase(), args, line });
  }
  return out;
}
