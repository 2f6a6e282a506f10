import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { jenkinsNoSecurity as rule } from '../../../src/check/files/rules/jenkins.js';
import { run } from './helpers.js';

/** Jenkins 2.x global config as written after the setup wizard (trimmed). */
const SECURED = `<?xml version='1.1' encoding='UTF-8'?>
<hudson>
  <disabledAdministrativeMonitors/>
  <version>2.426.3</version>
  <numExecutors>2</numExecutors>
  <mode>NORMAL</mode>
  <useSecurity>true</useSecurity>
  <authorizationStrategy class="hudson.security.FullControlOnceLoggedInAuthorizationStrategy">
    <denyAnonymousReadAccess>true</denyAnonymousReadAccess>
  </authorizationStrategy>
  <securityRealm class="hudson.security.HudsonPrivateSecurityRealm">
    <disableSignup>true</disableSignup>
    <enableCaptcha>false</enableCaptcha>
  </securityRealm>
  <disableRememberMe>false</disableRememberMe>
</hudson>
`;

const HOME = 'var/jenkins_home';

/** users/<id>_<n>/config.xml with a jbcrypt hash, as HudsonPrivateSecurityRealm stores it. */
function userXml(id: string, password: string, cost = 4): string {
  const hash = bcrypt.hashSync(password, cost);
  return `<?xml version='1.1' encoding='UTF-8'?>
<user>
  <version>10</version>
  <id>${id}</id>
  <fullName>${id}</fullName>
  <properties>
    <hudson.security.HudsonPrivateSecurityRealm_-Details>
      <passwordHash>#jbcrypt:${hash}</passwordHash>
    </hudson.security.HudsonPrivateSecurityRealm_-Details>
  </properties>
</user>
`;
}

describe('config/jenkins-no-security', () => {
  it('wants the global config, user configs and init scripts of a Jenkins home, not job configs', () => {
    for (const p of [`${HOME}/config.xml`, 'var/lib/jenkins/config.xml', 'usr/share/jenkins/ref/config.xml', `${HOME}/users/admin_4125423411/config.xml`, 'usr/share/jenkins/ref/init.groovy.d/security.groovy']) {
      assert.ok(rule.wants(p), p);
    }
    for (const p of [`${HOME}/jobs/build/config.xml`, `${HOME}/nodes/agent1/config.xml`, 'opt/app/config.xml', `${HOME}/hudson.model.UpdateCenter.xml`]) {
      assert.ok(!rule.wants(p), p);
    }
  });

  it('a secured config gives nothing; useSecurity false is CRITICAL on its line', () => {
    assert.deepEqual(run(rule, `${HOME}/config.xml`, SECURED), []);
    const off = SECURED.replace('<useSecurity>true</useSecurity>', '<useSecurity>false</useSecurity>');
    const hits = run(rule, `${HOME}/config.xml`, off);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.line, 7);
    assert.equal(hits[0]?.severity, 'CRITICAL');
    assert.match(hits[0]?.message ?? '', /security is disabled/);
  });

  it('the Unsecured authorization strategy hits; a commented one does not', () => {
    const unsecured = SECURED.replace(
      /<authorizationStrategy class="[^"]*">[\s\S]*?<\/authorizationStrategy>/,
      '<authorizationStrategy class="hudson.security.AuthorizationStrategy$Unsecured"/>',
    );
    const hits = run(rule, `${HOME}/config.xml`, unsecured);
    assert.equal(hits.length, 1);
    assert.match(hits[0]?.message ?? '', /Unsecured/);
    const commented = SECURED.replace('<mode>', '<!-- <useSecurity>false</useSecurity> --><mode>');
    assert.deepEqual(run(rule, `${HOME}/config.xml`, commented), []);
  });

  it('a user whose jbcrypt hash is a well-known password hits; a strong one does not', () => {
    const weak = run(rule, `${HOME}/users/admin_4125423411/config.xml`, userXml('admin', 'admin'));
    assert.deepEqual(weak, [{ message: "Jenkins user 'admin' has a well-known password: its password equals the username", line: 8 }]);
    assert.deepEqual(run(rule, `${HOME}/users/admin_4125423411/config.xml`, userXml('admin', 'x9!Vq-long-random')), []);
  });

  it('at the cost Jenkins uses (10) the first guesses are tried; the directory name stands in for a missing <id>', () => {
    const xml = userXml('ci', 'password', 10).replace('<id>ci</id>', '');
    const hits = run(rule, `${HOME}/users/ci_1234567890/config.xml`, xml);
    assert.deepEqual(hits.map((h) => h.message), ["Jenkins user 'ci' has a well-known password: its password is a well-known default"]);
  });

  it('init.groovy.d: createAccount with a literal weak password hits, env-provided or commented does not', () => {
    const script = `import jenkins.model.*
import hudson.security.*

def instance = Jenkins.getInstance()
def hudsonRealm = new HudsonPrivateSecurityRealm(false)
hudsonRealm.createAccount("admin", "password")
// hudsonRealm.createAccount('old', 'old')
hudsonRealm.createAccount("ci", System.getenv("CI_PASSWORD"))
instance.setSecurityRealm(hudsonRealm)
instance.save()
`;
    const hits = run(rule, 'usr/share/jenkins/ref/init.groovy.d/basic-security.groovy', script);
    assert.deepEqual(hits, [
      { message: "Jenkins init script creates user 'admin' with a well-known password: its password is a well-known default", line: 6 },
    ]);
  });

  it('a config.xml that is not the global config (no <hudson> root) gives nothing', () => {
    assert.deepEqual(rule.check('<project><useSecurity>false</useSecurity></project>', `${HOME}/config.xml`), []);
  });
});
