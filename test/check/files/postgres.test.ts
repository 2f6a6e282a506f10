import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresTrustAuth as rule } from '../../../src/check/files/rules/postgres.js';
import { run } from './helpers.js';

/** Debian bookworm's /etc/postgresql/15/main/pg_hba.conf: the header explains trust, the records use peer and scram. */
const DEBIAN = `# PostgreSQL Client Authentication Configuration File
# ===================================================
#
# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",
# "gss", "sspi", "ident", "peer", "pam", "ldap", "radius" or "cert".
# Note that "password" sends passwords in clear text; "md5" or
# "scram-sha-256" are preferred since they send encrypted passwords.
#
# local   DATABASE  USER  METHOD  [OPTIONS]
# host    DATABASE  USER  ADDRESS  METHOD  [OPTIONS]




# DO NOT DISABLE!
# If you change this first entry you will need to make sure that the
# database superuser can access the database using some other method.
# Noninteractive access to all databases is required during automatic
# maintenance (custom daily cronjobs, replication, and similar tasks).
#
# Database administrative login by Unix domain socket
local   all             postgres                                peer

# TYPE  DATABASE        USER            ADDRESS                 METHOD

# "local" is for Unix domain socket connections only
local   all             all                                     peer
# IPv4 local connections:
host    all             all             127.0.0.1/32            scram-sha-256
# IPv6 local connections:
host    all             all             ::1/128                 scram-sha-256
# Allow replication connections from localhost, by a user with the
# replication privilege.
local   replication     all                                     peer
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
`;

const PATH = 'etc/postgresql/15/main/pg_hba.conf';

describe('config/postgres-trust-auth', () => {
  it('wants pg_hba.conf anywhere, not the sample', () => {
    assert.ok(rule.wants(PATH));
    assert.ok(rule.wants('var/lib/postgresql/data/pg_hba.conf'));
    assert.ok(!rule.wants('usr/share/postgresql/15/pg_hba.conf.sample'));
  });

  it("Debian's stock file gives nothing (trust appears only in comments)", () => {
    assert.deepEqual(run(rule, PATH, DEBIAN), []);
  });

  it('one hit per trust record with its line: network HIGH, local socket and loopback MEDIUM', () => {
    // What initdb writes without --auth, plus the classic docker "open to the world" line.
    const text = `# TYPE  DATABASE  USER  ADDRESS  METHOD
local   all             all                                     trust
host    all             all             127.0.0.1/32            trust
host    all             all             0.0.0.0/0               trust   # docker
hostssl "my db"         app             10.0.0.0 255.0.0.0      trust
host    all             all             192.168.0.0/16          scram-sha-256
host    all             all             10.1.0.0   255.255.0.0  md5
hostnossl all           all             all                     trust
`;
    const hits = run(rule, PATH, text);
    assert.deepEqual(
      hits.map((h) => [h.line, h.severity]),
      [
        [2, 'MEDIUM'],
        [3, 'MEDIUM'],
        [4, 'HIGH'],
        [5, 'HIGH'],
        [8, 'HIGH'],
      ],
    );
    assert.equal(hits[2]?.message, 'pg_hba.conf trusts network connections without a password: host all all 0.0.0.0/0 trust');
    assert.match(hits[0]?.message ?? '', /local socket/);
    assert.match(hits[1]?.message ?? '', /loopback/);
  });

  it('a netmask field is not mistaken for the method, and continuation lines join', () => {
    const text = 'host all all 10.0.0.1 255.255.255.255 scram-sha-256\nhost all all \\\n  0.0.0.0/0 \\\n  trust\n';
    const hits = run(rule, PATH, text);
    assert.deepEqual(hits.map((h) => [h.line, h.severity]), [[2, 'HIGH']]);
  });
});
