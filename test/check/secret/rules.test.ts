/** The secret rule table's invariants: what detect.ts, docs/rules.md and the runner rely on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { defaultAllowPaths, SECRET_RULES_VERSION, secretRules } from '../../../src/check/secret/rules.js';
import { hasTokenChecksum, shannonEntropy } from '../../../src/check/secret/validators.js';
import { checksummedToken } from './fake-secrets.js';

describe('secret rule table', () => {
  it('ids are unique, secret/<name>, kind secret, with title, remediation and the references', () => {
    const seen = new Set<string>();
    for (const r of secretRules) {
      assert.match(r.id, /^secret\/[a-z0-9-]+$/);
      assert.ok(!seen.has(r.id), `duplicate ${r.id}`);
      seen.add(r.id);
      assert.equal(r.kind, 'secret');
      assert.ok(r.title.length > 0 && r.label.length > 0);
      assert.ok(r.remediation.length > 0 && !r.remediation.includes('\n'));
      assert.deepEqual([...r.references], ['NIST SP 800-190 3.1.4', 'CIS Docker 4.10']);
    }
    assert.ok(seen.has('secret/aws-access-key') && seen.has('secret/private-key') && seen.has('secret/github-pat'));
  });

  it('regexes are global and not sticky; every rule has lowercase keywords or literals (the prefilter)', () => {
    for (const r of secretRules) {
      assert.ok(r.regex.global && !r.regex.sticky, r.id);
      const keywords = r.keywords ?? [];
      assert.ok(keywords.length + (r.literals ?? []).length > 0, `${r.id} has no keywords: it would run on every file`);
      for (const k of keywords) assert.equal(k, k.toLowerCase(), r.id);
    }
  });

  it('severities follow the stated scheme', () => {
    const sev = Object.fromEntries(secretRules.map((r) => [r.id, r.severity]));
    for (const id of ['private-key', 'aws-secret-key', 'gcp-service-account', 'azure-storage-key', 'azure-client-secret']) assert.equal(sev[`secret/${id}`], 'CRITICAL', id);
    for (const id of ['aws-access-key', 'github-pat', 'gitlab-pat', 'slack-token', 'stripe-key', 'npm-token', 'pypi-token', 'docker-config-auth']) assert.equal(sev[`secret/${id}`], 'HIGH', id);
    assert.equal(sev['secret/jwt'], 'MEDIUM');
    assert.equal(sev['secret/generic-assignment'], 'MEDIUM');
  });

  it('rule shadows name existing rules', () => {
    const ids = new Set(secretRules.map((r) => r.id));
    for (const r of secretRules) for (const s of r.shadows ?? []) assert.ok(ids.has(s), `${r.id} shadows unknown ${s}`);
  });

  it('defaultAllowPaths: documentation and third-party test suites only', () => {
    const allowed = picomatch([...defaultAllowPaths], { dot: true });
    for (const p of [
      'usr/share/doc/openssl/README.md',
      'usr/share/man/man1/ssh.1.gz',
      'app/node_modules/agent-base/test/ssl-cert-snakeoil.key',
      'node_modules/@scope/pkg/__fixtures__/id_rsa',
      'usr/lib/python3/dist-packages/oauthlib/tests/test_tokens.py',
      'usr/local/lib/python3.11/site-packages/requests/tests/certs/server.key',
    ]) {
      assert.ok(allowed(p), p);
    }
    for (const p of [
      'root/.aws/credentials',
      'root/.ssh/id_rsa',
      'app/config/ci.env',
      'app/test/fixtures/prod.env', // the application's own tests
      'app/node_modules/debug/.coveralls.yml',
      'app/node_modules/pkg/lib/config.js',
      'usr/lib/python3/dist-packages/oauthlib/oauth2/rfc6749/tokens.py',
      'usr/share/docker/config.json',
      'opt/tomcat/conf/tomcat-users.xml',
    ]) {
      assert.ok(!allowed(p), p);
    }
  });

  it('has a version string for cache keys', () => {
    assert.match(SECRET_RULES_VERSION, /^[0-9a-f]{12}$/);
  });
});

describe('validators', () => {
  it('token checksum: base62 CRC32 of the 30 random characters', () => {
    const t = checksummedToken('ghp');
    assert.ok(hasTokenChecksum(t));
    assert.ok(!hasTokenChecksum(t.slice(0, 10) + (t[10] === 'a' ? 'b' : 'a') + t.slice(11)));
    assert.ok(!hasTokenChecksum(t.slice(0, -1)));
  });

  it('shannon entropy in bits per character', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.equal(shannonEntropy('ab'.repeat(8)), 1);
  });
});
