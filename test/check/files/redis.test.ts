import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisNoPassword as rule } from '../../../src/check/files/rules/redis.js';
import { run } from './helpers.js';

/**
 * The directives of Debian bookworm's /etc/redis/redis.conf (redis 7.0) that matter here,
 * in its order and with its comment style; the real file has ~2300 lines of comments around them.
 */
const DEBIAN = `# Redis configuration file example.
#
# Note that in order to read the configuration file, Redis must be
# started with the file path as first argument:
#
# ./redis-server /path/to/redis.conf

################################## INCLUDES ###################################
# include /path/to/local.conf
# include /path/to/other.conf

################################## NETWORK #####################################
# bind 192.168.1.100 10.0.0.1     # listens on two specific IPv4 addresses
# bind 127.0.0.1 ::1              # listens on loopback IPv4 and IPv6
# bind * -::*                     # like the default, all available interfaces
bind 127.0.0.1 -::1

# By default protected mode is enabled. You should disable it only if
# you are sure you want clients from other hosts to connect to Redis
# even if no authentication is configured.
protected-mode yes

port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300

################################# GENERAL #####################################
daemonize yes
pidfile /run/redis/redis-server.pid
loglevel notice
logfile /var/log/redis/redis-server.log
databases 16

################################## SECURITY ###################################
#   user alice on +@all -DEBUG ~* >somepassword
#   user worker +@list +@connection ~jobs:* on >ffa9203c493aa99
# aclfile /etc/redis/users.acl
# requirepass foobared
# rename-command CONFIG ""

############################## MEMORY MANAGEMENT ################################
# maxmemory <bytes>
`;

const PATH = 'etc/redis/redis.conf';
const edit = (from: string, to: string): string => {
  assert.ok(DEBIAN.includes(from), from);
  return DEBIAN.replace(from, to);
};

describe('config/redis-no-password', () => {
  it('wants redis.conf anywhere', () => {
    assert.ok(rule.wants(PATH));
    assert.ok(rule.wants('usr/local/etc/redis/redis.conf'));
    assert.ok(rule.wants('etc/redis.conf'));
    assert.ok(!rule.wants('etc/redis/sentinel.conf'));
  });

  it("Debian's stock file (no requirepass, loopback bind, protected-mode) is a MEDIUM hit", () => {
    const hits = run(rule, PATH, DEBIAN);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.severity, 'MEDIUM');
    assert.match(hits[0]?.message ?? '', /without a password.*keep it local/);
  });

  it('protected-mode no or a wildcard bind raise it to HIGH, pointing at that line', () => {
    const off = run(rule, PATH, edit('protected-mode yes', 'protected-mode no'));
    assert.equal(off[0]?.severity, 'HIGH');
    assert.equal(off[0]?.line, 21);
    assert.match(off[0]?.message ?? '', /protected-mode is off/);
    const bind = run(rule, PATH, edit('bind 127.0.0.1 -::1', 'bind 0.0.0.0'));
    assert.equal(bind[0]?.severity, 'HIGH');
    assert.match(bind[0]?.message ?? '', /binds to 0\.0\.0\.0/);
    const star = run(rule, PATH, edit('bind 127.0.0.1 -::1', 'bind * -::*'));
    assert.equal(star[0]?.severity, 'HIGH');
  });

  it('an active requirepass, an aclfile or a default-user ACL password gives nothing', () => {
    for (const [from, to] of [
      ['# requirepass foobared', 'requirepass "s3cure-pa55"'],
      ['# aclfile /etc/redis/users.acl', 'aclfile /etc/redis/users.acl'],
      ['# include /path/to/local.conf', 'include /etc/redis/local.conf'],
      ['# rename-command CONFIG ""', 'user default on >hunter22long ~* &* +@all'],
      ['# rename-command CONFIG ""', 'user default off\nuser app on >app-pass ~* +@all'],
    ] as const) {
      assert.deepEqual(run(rule, PATH, edit(from, to)), [], to);
    }
  });

  it('requirepass "" and nopass users are still open; the last directive wins', () => {
    assert.equal(run(rule, PATH, edit('# requirepass foobared', 'requirepass ""')).length, 1);
    assert.equal(run(rule, PATH, edit('# requirepass foobared', 'requirepass first\nuser default nopass')).length, 1);
    const other = run(rule, PATH, edit('# requirepass foobared', 'requirepass s3cret-long\nuser worker on nopass ~* +@all'));
    assert.equal(other.length, 1);
    assert.match(other[0]?.message ?? '', /ACL user 'worker'/);
    assert.deepEqual(run(rule, PATH, edit('# requirepass foobared', 'user default nopass\nrequirepass later-wins')), []);
  });
});
