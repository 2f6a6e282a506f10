/**
 * config/jenkins-no-security: a Jenkins home (or the image's ref/ copy of one) whose
 * global config turns security off, whose user database holds a well-known password,
 * or whose init scripts create an account with a literal well-known password.
 */
import type { RuleHit } from '../../rule.js';
import { lineAt } from '../../rule.js';
import { baseName, CONFIG_MAX_BYTES, dirName, type FileRule } from '../file-rule.js';
import { BcryptBudget, weakHashReason } from '../password-hash.js';
import { NIST_CONFIG_DEFECTS } from '../references.js';
import { blankXmlComments, quoteForMessage, xmlElements, xmlElementText, xmlRootName } from '../text.js';
import { describeWeak, weakReason } from '../weak-passwords.js';

/** A directory named jenkins*: var/jenkins_home, var/lib/jenkins, usr/share/jenkins/ref, ~/.jenkins. */
const IN_JENKINS = /(^|\/)\.?jenkins[^/]*\//i;
/** Job, node and build configs are also config.xml, but never hold the security settings. */
const NOT_GLOBAL = /(^|\/)(jobs|nodes|builds|plugins|workspace|fingerprints)\//;

export const jenkinsNoSecurity: FileRule = {
  id: 'config/jenkins-no-security',
  kind: 'config',
  severity: 'HIGH',
  title: 'Jenkins without security or with a default password',
  remediation:
    'Enable security in Jenkins (useSecurity true, a security realm and an authorization strategy) and create the admin account from a runtime secret',
  references: [...NIST_CONFIG_DEFECTS],
  maxBytes: CONFIG_MAX_BYTES,
  wants(path) {
    if (!IN_JENKINS.test(path)) return false;
    if (baseName(path) === 'config.xml') return !NOT_GLOBAL.test(path);
    return baseName(dirName(path)) === 'init.groovy.d' && path.endsWith('.groovy');
  },
  check(content, path) {
    if (path.endsWith('.groovy')) return checkInitScript(content);
    const text = blankXmlComments(content);
    switch (xmlRootName(text)) {
      case 'hudson':
        return checkGlobalConfig(content, text);
      case 'user':
        return checkUser(content, text, path);
      default:
        return [];
    }
  },
};

function checkGlobalConfig(content: string, text: string): RuleHit[] {
  const useSecurity = xmlElementText(text, 'useSecurity');
  if (useSecurity?.value === 'false') {
    return [
      {
        message: 'Jenkins security is disabled (<useSecurity>false</useSecurity>): anyone who reaches it can run builds and scripts',
        line: lineAt(content, useSecurity.offset),
        severity: 'CRITICAL',
      },
    ];
  }
  const unsecured = xmlElements(text, 'authorizationStrategy').find((e) =>
    (e.attrs.get('class') ?? '').endsWith('AuthorizationStrategy$Unsecured'),
  );
  if (unsecured) {
    return [
      {
        message: 'Jenkins authorization is AuthorizationStrategy$Unsecured: anonymous users can do anything, including running scripts',
        line: lineAt(content, unsecured.offset),
        severity: 'CRITICAL',
      },
    ];
  }
  return [];
}

/** users/<id>/config.xml of Jenkins' own user database: passwordHash is #jbcrypt:<bcrypt>. */
function checkUser(content: string, text: string, path: string): RuleHit[] {
  const hash = xmlElementText(text, 'passwordHash');
  if (!hash?.value.startsWith('#jbcrypt:')) return [];
  // Newer Jenkins names the directory <id>_<digits>; the <id> element holds the login name.
  const id = xmlElementText(text, 'id')?.value || baseName(dirName(path)).replace(/_\d+$/, '');
  // Jenkins hashes at cost 10 (~0.1 s a guess in bcryptjs) and a home can hold many users:
  // try only the first guesses (username, password, admin, 123456, changeme, secret).
  const budget = new BcryptBudget(6 * 1024);
  const reason = weakHashReason(id, hash.value.slice('#jbcrypt:'.length), budget);
  if (reason === undefined) return [];
  return [
    {
      message: `Jenkins user '${quoteForMessage(id, 64)}' has a well-known password: ${describeWeak(reason)}`,
      line: lineAt(content, hash.offset),
    },
  ];
}

const CREATE_ACCOUNT = /createAccount\s*\(\s*(["'])([^"'\n]*)\1\s*,\s*(["'])([^"'\n]*)\3\s*\)/g;

/** init.groovy.d scripts that seed the realm: hudsonRealm.createAccount("admin", "admin"). */
function checkInitScript(content: string): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const m of content.matchAll(CREATE_ACCOUNT)) {
    const user = m[2] ?? '';
    const reason = weakReason(user, m[4] ?? '');
    if (reason === undefined) continue;
    const lineStart = content.lastIndexOf('\n', m.index) + 1;
    if (/^\s*(\/\/|\*|\/\*)/.test(content.slice(lineStart, m.index))) continue;
    hits.push({
      message: `Jenkins init script creates user '${quoteForMessage(user, 64)}' with a well-known password: ${describeWeak(reason)}`,
      line: lineAt(content, m.index),
    });
  }
  return hits;
}
