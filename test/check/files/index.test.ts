import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileRules } from '../../../src/check/files/index.js';
import { findingFields } from '../../../src/check/rule.js';
import { SEVERITY_ORDER } from '../../../src/types.js';

const REFERENCE = /^(CIS Docker \d+\.\d+|NIST SP 800-190 \d+\.\d+\.\d+)$/;

describe('fileRules table', () => {
  it('has the nine config rules, ids unique and in the config/ namespace', () => {
    assert.deepEqual(
      fileRules.map((r) => r.id),
      [
        'config/default-credentials-tomcat',
        'config/default-credentials-htpasswd',
        'config/default-credentials-grafana',
        'config/jenkins-no-security',
        'config/redis-no-password',
        'config/postgres-trust-auth',
        'config/mysql-empty-root-password',
        'config/empty-password',
        'config/sudo-nopasswd',
      ],
    );
  });

  for (const rule of fileRules) {
    it(`${rule.id}: complete metadata`, () => {
      assert.equal(rule.kind, 'config');
      assert.ok(SEVERITY_ORDER.includes(rule.severity));
      assert.ok(rule.title.length > 0 && rule.title.length <= 60, rule.title);
      assert.ok(rule.remediation.length > 20 && !/[\r\n]/.test(rule.remediation), rule.remediation);
      assert.ok(rule.references.length > 0);
      for (const ref of rule.references) assert.match(ref, REFERENCE);
      assert.ok(rule.references.includes('NIST SP 800-190 3.1.2'), 'every rule here is an image configuration defect');
      assert.ok(rule.maxBytes > 0 && rule.maxBytes <= 1 << 20);
    });
  }

  it('each sample path is wanted by exactly the expected rule', () => {
    const expected: Record<string, string | undefined> = {
      'opt/tomcat/conf/tomcat-users.xml': 'config/default-credentials-tomcat',
      'etc/nginx/.htpasswd': 'config/default-credentials-htpasswd',
      'etc/grafana/grafana.ini': 'config/default-credentials-grafana',
      'var/jenkins_home/config.xml': 'config/jenkins-no-security',
      'etc/redis/redis.conf': 'config/redis-no-password',
      'etc/postgresql/15/main/pg_hba.conf': 'config/postgres-trust-auth',
      'etc/mysql/my.cnf': 'config/mysql-empty-root-password',
      'etc/shadow': 'config/empty-password',
      'etc/sudoers': 'config/sudo-nopasswd',
      'etc/passwd': undefined,
      'usr/bin/htpasswd': undefined,
      'usr/lib/x86_64-linux-gnu/libc.so.6': undefined,
      'app/node_modules/express/package.json': undefined,
    };
    for (const [path, id] of Object.entries(expected)) {
      assert.deepEqual(fileRules.filter((r) => r.wants(path)).map((r) => r.id), id ? [id] : [], path);
    }
  });

  it('wants() is cheap: 9 rules over 200k paths well under a second', () => {
    const paths = Array.from({ length: 200_000 }, (_, i) => `usr/lib/python3/dist-packages/pkg${i % 997}/sub/module_${i}.py`);
    const started = process.hrtime.bigint();
    let wanted = 0;
    for (const p of paths) for (const r of fileRules) if (r.wants(p)) wanted++;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(wanted, 0);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  it('hits become finding fields with the rule metadata (runner contract)', () => {
    const rule = fileRules.find((r) => r.id === 'config/empty-password');
    assert.ok(rule);
    const [hit] = rule.check('app::19000:0:99999:7:::\n', 'etc/shadow');
    assert.ok(hit);
    const f = findingFields(rule, { ...hit, path: 'etc/shadow', layer: 3 });
    assert.equal(f.ruleId, 'config/empty-password');
    assert.equal(f.severity, 'HIGH');
    assert.equal(f.line, 1);
    assert.equal(f.path, 'etc/shadow');
    assert.deepEqual(f.references, [...rule.references]);
  });
});
