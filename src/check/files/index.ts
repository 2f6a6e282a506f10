/**
 * The file-content configuration checks, in the order docs/rules.md lists them.
 * Adding a check is adding a module under rules/ and a line here.
 */
import type { FileRule } from './file-rule.js';
import { grafanaDefaultCredentials } from './rules/grafana.js';
import { htpasswdDefaultCredentials } from './rules/htpasswd.js';
import { jenkinsNoSecurity } from './rules/jenkins.js';
import { mysqlEmptyRootPassword } from './rules/mysql.js';
import { postgresTrustAuth } from './rules/postgres.js';
import { redisNoPassword } from './rules/redis.js';
import { emptyPassword } from './rules/shadow.js';
import { sudoNopasswd } from './rules/sudoers.js';
import { tomcatDefaultCredentials } from './rules/tomcat.js';

export type { FileRule } from './file-rule.js';

export const fileRules: readonly FileRule[] = [
  tomcatDefaultCredentials,
  htpasswdDefaultCredentials,
  grafanaDefaultCredentials,
  jenkinsNoSecurity,
  redisNoPassword,
  postgresTrustAuth,
  mysqlEmptyRootPassword,
  emptyPassword,
  sudoNopasswd,
];
