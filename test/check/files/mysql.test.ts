import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mysqlEmptyRootPassword as rule } from '../../../src/check/files/rules/mysql.js';
import { run } from './helpers.js';

/** Debian's /etc/mysql/mariadb.conf.d/50-server.cnf (abridged): no client groups, no skip-grant-tables. */
const DEBIAN_SERVER = `#
# These groups are read by MariaDB server.
# Use it for options that only the server (but not clients) should see

# this is read by the standalone daemon and embedded servers
[server]

# this is only for the mysqld standalone daemon
[mysqld]

#
# * Basic Settings
#

#user                    = mysql
pid-file                = /run/mysqld/mysqld.pid
basedir                 = /usr
#datadir                 = /var/lib/mysql
#tmpdir                  = /tmp

# Broken reverse DNS slows down connections considerably and name resolve is
# safe to skip if there are no "host by domain name" access restrictions
#skip-name-resolve

# Instead of skip-networking the default is now to listen only on
# localhost which is more compatible and is not less secure.
bind-address            = 127.0.0.1
`;

/** Debian's /etc/mysql/debian.cnf shape: a maintenance user with a password. */
const DEBIAN_CNF = `# Automatically generated for Debian scripts. DO NOT TOUCH!
[client]
host     = localhost
user     = debian-sys-maint
password = 3xampleGeneratedPw
socket   = /var/run/mysqld/mysqld.sock
[mysql_upgrade]
host     = localhost
user     = debian-sys-maint
password = 3xampleGeneratedPw
`;

describe('config/mysql-empty-root-password', () => {
  it('wants option files under etc/mysql and etc/my.cnf*', () => {
    for (const p of ['etc/my.cnf', 'etc/mysql/my.cnf', 'etc/mysql/conf.d/docker.cnf', 'etc/mysql/mariadb.conf.d/50-server.cnf', 'etc/my.cnf.d/client.cnf']) {
      assert.ok(rule.wants(p), p);
    }
    for (const p of ['etc/mysql/conf.d/README', 'usr/share/mysql/my-default.cnf', 'root/.my.cnf']) assert.ok(!rule.wants(p), p);
  });

  it("Debian's stock server and debian.cnf files give nothing", () => {
    assert.deepEqual(run(rule, 'etc/mysql/mariadb.conf.d/50-server.cnf', DEBIAN_SERVER), []);
    assert.deepEqual(run(rule, 'etc/mysql/debian.cnf', DEBIAN_CNF), []);
  });

  it('[client] user=root with password= empty (bare or quoted) hits once, on the password line', () => {
    for (const pw of ['password=', 'password = ""', "password=''"]) {
      const text = `[client]\nuser=root\n${pw}\nsocket=/var/run/mysqld/mysqld.sock\n`;
      const hits = run(rule, 'etc/mysql/conf.d/client.cnf', text);
      assert.deepEqual(hits, [
        { message: "MySQL option group [client] logs in as root with an empty password, so the server's root account has none", line: 3 },
      ], pw);
    }
  });

  it('combines [client] with the program group in file order', () => {
    assert.equal(run(rule, 'etc/my.cnf', '[client]\nuser = root\n[mysqladmin]\npassword =\n').length, 1);
    // The later [mysql] password overrides the empty one from [client] for mysql, but mysqladmin still has it empty.
    const partly = run(rule, 'etc/my.cnf', '[client]\nuser=root\npassword=\n[mysql]\npassword=Str0ng-one\n');
    assert.equal(partly.length, 1);
    assert.equal(partly[0]?.line, 3);
  });

  it('a bare password (prompt), a non-root user or a real password give nothing', () => {
    assert.deepEqual(run(rule, 'etc/my.cnf', '[client]\nuser=root\npassword\n'), []);
    assert.deepEqual(run(rule, 'etc/my.cnf', '[client]\nuser=app\npassword=\n'), []);
    assert.deepEqual(run(rule, 'etc/my.cnf', '[mysql]\nuser=root\npassword=K9-long-and-random\n'), []);
    assert.deepEqual(run(rule, 'etc/my.cnf', '[mysqld]\nuser=root\npassword=\n'), [], 'mysqld is not a client group');
  });

  it('skip-grant-tables in a server group is its own hit; commented or in a client group is not', () => {
    const text = '!includedir /etc/mysql/conf.d/\n[mysqld]\nskip_grant_tables\n[mysqld-8.0]\nloose-skip-grant-tables = ON\n#skip-grant-tables\n[mysql]\nskip-grant-tables\n';
    const hits = run(rule, 'etc/mysql/my.cnf', text);
    assert.deepEqual(hits.map((h) => h.line), [3, 5]);
    assert.match(hits[0]?.message ?? '', /\[mysqld\] sets skip-grant-tables/);
    assert.deepEqual(run(rule, 'etc/mysql/my.cnf', '[mysqld]\nskip-grant-tables = OFF\n'), []);
  });
});
