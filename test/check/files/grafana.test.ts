import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grafanaDefaultCredentials as rule } from '../../../src/check/files/rules/grafana.js';
import { run } from './helpers.js';

/** The [security] part of the grafana.ini the Grafana packages and image ship: everything commented. */
const STOCK = `##################### Grafana Configuration Example #####################
#
# Everything has defaults so you only need to uncomment things you want to
# change

# possible values : production, development
;app_mode = production

#################################### Server ####################################
[server]
# Protocol (http, https, h2, socket)
;protocol = http
;http_port = 3000

#################################### Security ####################################
[security]
# disable creation of admin user on first start of grafana
;disable_initial_admin_creation = false

# default admin user, created on startup
;admin_user = admin

# default admin password, can be changed before first start of grafana,  or in profile settings
;admin_password = admin

# used for signing
;secret_key = SW2YcwTIb9zpOOhoPsMm
`;

const PATH = 'etc/grafana/grafana.ini';

function withSecurity(lines: string): string {
  return STOCK.replace(';admin_password = admin\n', `;admin_password = admin\n${lines}\n`);
}

describe('config/default-credentials-grafana', () => {
  it('wants grafana.ini anywhere, not defaults.ini or sample.ini', () => {
    assert.ok(rule.wants(PATH));
    assert.ok(rule.wants('opt/grafana/conf/grafana.ini'));
    assert.ok(!rule.wants('usr/share/grafana/conf/defaults.ini'));
    assert.ok(!rule.wants('usr/share/grafana/conf/sample.ini'));
  });

  it('stock file (admin_password commented): MEDIUM, Grafana falls back to admin', () => {
    const hits = run(rule, PATH, STOCK);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.severity, 'MEDIUM');
    assert.equal(hits[0]?.line, undefined);
    assert.match(hits[0]?.message ?? '', /admin user 'admin' keeps the default password.*not set.*GF_SECURITY_ADMIN_PASSWORD/);
  });

  it('admin_password = admin explicitly: HIGH on its line; the admin_user name is reported', () => {
    const text = withSecurity('admin_user = root-admin\nadmin_password = admin   ; set me');
    const hits = run(rule, PATH, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('admin_password')) + 1;
    assert.deepEqual(hits, [
      { message: "Grafana admin user 'root-admin' has a well-known password: [security] admin_password is the default", line },
    ]);
  });

  it('a real password, a file or env reference, or triple quotes around # give nothing', () => {
    for (const v of ['S7rong-Passw0rd', '$__file{/run/secrets/grafana_admin}', '$__env{GRAFANA_ADMIN}', '"""adm#in"""']) {
      assert.deepEqual(run(rule, PATH, withSecurity(`admin_password = ${v}`)), [], v);
    }
  });

  it('admin_password = admin in another section does not count; empty value is MEDIUM', () => {
    const other = STOCK.replace('[server]\n', '[server]\nadmin_password = admin\n');
    assert.equal(run(rule, PATH, other)[0]?.severity, 'MEDIUM', 'still unset in [security]');
    const empty = run(rule, PATH, withSecurity('admin_password ='));
    assert.equal(empty.length, 1);
    assert.equal(empty[0]?.severity, 'MEDIUM');
    assert.match(empty[0]?.message ?? '', /admin_password is empty/);
  });
});
