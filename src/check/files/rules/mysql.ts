/**
 * config/mysql-empty-root-password: MySQL/MariaDB option files that log clients in as
 * root with an empty password (so the server's root has none), or that start the
 * server with skip-grant-tables (no privilege checks at all).
 */
import type { RuleHit } from '../../rule.js';
import { CONFIG_MAX_BYTES, type FileRule } from '../file-rule.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { iniEntries } from '../text.js';

/** Client programs whose groups combine with [client], as each program reads them. */
const CLIENT_PROGRAMS = ['mysql', 'mysqladmin', 'mysqldump'];
/** Groups the server reads (MariaDB adds its own names; versioned groups like mysqld-8.0). */
const SERVER_GROUP = /^(mysqld|server|mariadb|mariadbd)(-[\d.]+)?$/;

export const mysqlEmptyRootPassword: FileRule = {
  id: 'config/mysql-empty-root-password',
  kind: 'config',
  severity: 'HIGH',
  title: 'MySQL root without a password',
  remediation:
    'Set a root password at runtime (e.g. from a secret), drop empty password= lines and skip-grant-tables from the option files',
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    if (path === 'etc/my.cnf' || path.startsWith('etc/my.cnf.')) return true;
    return (path.startsWith('etc/mysql/') || path.startsWith('etc/my.cnf.d/')) && path.endsWith('.cnf');
  },
  check(content) {
    // Option names treat - and _ alike and accept a loose- prefix.
    const entries = iniEntries(content)
      .filter((e) => !e.key.startsWith('!'))
      .map((e) => ({ ...e, key: e.key.toLowerCase().replace(/_/g, '-').replace(/^loose-/, '') }));
    const hits: RuleHit[] = [];
    const reported = new Set<number>();
    for (const program of CLIENT_PROGRAMS) {
      // The program reads [client] and its own group in file order; the last value wins.
      const ordered = entries.filter((e) => e.section === 'client' || e.section === program);
      const user = ordered.filter((e) => e.key === 'user').at(-1);
      const password = ordered.filter((e) => e.key === 'password').at(-1);
      // A bare `password` (no =) makes the client prompt: that is not an empty password.
      if (user?.value !== 'root' || password === undefined || password.value !== '') continue;
      if (reported.has(password.line)) continue;
      reported.add(password.line);
      hits.push({
        message: `MySQL option group [${password.section}] logs in as root with an empty password, so the server's root account has none`,
        line: password.line,
      });
    }
    for (const e of entries) {
      if (e.key !== 'skip-grant-tables' || !SERVER_GROUP.test(e.section)) continue;
      if (e.value !== undefined && /^(0|off|false)$/i.test(e.value)) continue;
      hits.push({
        message: `MySQL server group [${e.section}] sets skip-grant-tables: every client connects with all privileges and no password`,
        line: e.line,
      });
    }
    return hits;
  },
};
