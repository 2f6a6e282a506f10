/**
 * config/default-credentials-tomcat: tomcat-users.xml users with a well-known password.
 * The stock file ships its sample users (tomcat, both, role1) inside comments, so
 * comments are blanked before looking for <user> elements.
 */
import type { RuleHit } from '../../rule.js';
import { lineAt } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, dirName, type FileRule } from '../file-rule.js';
import { CLEAR_TEXT_SECRETS, NIST_CONFIG_DEFECTS } from '../references.js';
import { blankXmlComments, quoteForMessage, xmlElements } from '../text.js';
import { describeWeak, weakReason } from '../weak-passwords.js';

export const tomcatDefaultCredentials: FileRule = {
  id: 'config/default-credentials-tomcat',
  kind: 'config',
  severity: 'HIGH',
  title: 'Tomcat user with a default password',
  remediation:
    'Remove the user entries from tomcat-users.xml or set strong passwords injected at runtime (and keep the manager apps off public networks)',
  references: [...NIST_CONFIG_DEFECTS, ...CLEAR_TEXT_SECRETS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    if (baseName(path) !== 'tomcat-users.xml') return false;
    // Tomcat's own layout (conf/) and Debian's tomcatN packages (etc/tomcatN/).
    const dir = baseName(dirName(path));
    return dir === 'conf' || dir.startsWith('tomcat');
  },
  check(content) {
    const text = blankXmlComments(content);
    const hits: RuleHit[] = [];
    for (const el of xmlElements(text, 'user')) {
      // Tomcat 4/5 files use `name`; later ones `username`.
      const username = el.attrs.get('username') ?? el.attrs.get('name');
      const password = el.attrs.get('password');
      if (username === undefined || password === undefined) continue;
      const reason = weakReason(username, password);
      if (reason === undefined) continue;
      const roles = el.attrs.get('roles');
      const hit: RuleHit = {
        message:
          `Tomcat user '${quoteForMessage(username, 64)}' has a well-known password: ${describeWeak(reason)}` +
          (roles ? ` (roles: ${quoteForMessage(roles, 80)})` : ''),
        line: lineAt(content, el.offset),
      };
      if (roles !== undefined && deploysCode(roles)) hit.severity = 'CRITICAL';
      hits.push(hit);
    }
    return hits;
  },
};

/** The manager and host-manager apps deploy WARs: with these roles a default password is code execution. */
function deploysCode(roles: string): boolean {
  return roles.split(',').some((r) => /^(manager|admin)(-(gui|script|jmx))?$/.test(r.trim()));
}
