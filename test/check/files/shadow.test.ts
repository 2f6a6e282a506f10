import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyPassword as rule } from '../../../src/check/files/rules/shadow.js';
import { run } from './helpers.js';

/** The debian-base corpus image's /etc/shadow, verbatim. */
const DEBIAN =
  'root:*:20645:0:99999:7:::\ndaemon:*:20645:0:99999:7:::\nbin:*:20645:0:99999:7:::\nsys:*:20645:0:99999:7:::\nsync:*:20645:0:99999:7:::\ngames:*:20645:0:99999:7:::\nman:*:20645:0:99999:7:::\nlp:*:20645:0:99999:7:::\nmail:*:20645:0:99999:7:::\nnews:*:20645:0:99999:7:::\nuucp:*:20645:0:99999:7:::\nproxy:*:20645:0:99999:7:::\nwww-data:*:20645:0:99999:7:::\nbackup:*:20645:0:99999:7:::\nlist:*:20645:0:99999:7:::\nirc:*:20645:0:99999:7:::\n_apt:*:20645:0:99999:7:::\nnobody:*:20645:0:99999:7:::\n';

describe('config/empty-password', () => {
  it('wants etc/shadow only', () => {
    assert.ok(rule.wants('etc/shadow'));
    for (const p of ['etc/shadow-', 'etc/gshadow', 'usr/etc/shadow', 'etc/passwd']) assert.ok(!rule.wants(p), p);
  });

  it("Debian's stock shadow (*) and Alpine's (* and !) give nothing, as do locked accounts and real hashes", () => {
    assert.deepEqual(run(rule, 'etc/shadow', DEBIAN), []);
    const alpine = 'root:*::0:::::\nbin:!::0:::::\ndaemon:!::0:::::\nnobody:!::0:::::\n';
    assert.deepEqual(run(rule, 'etc/shadow', alpine), []);
    const locked = 'a:!!:19000::::::\nb:!*:19000::::::\nc:!$6$x$y:19000::::::\nd:$y$j9T$abc$def:19000:0:99999:7:::\n';
    assert.deepEqual(run(rule, 'etc/shadow', locked), []);
  });

  it('one hit per account with an empty field; root is CRITICAL (the CVE-2019-5021 Alpine images)', () => {
    const text = 'root:::0:::::\nbin:!::0:::::\napp::19000:0:99999:7:::\n\n';
    const hits = run(rule, 'etc/shadow', text);
    assert.deepEqual(hits.map((h) => [h.line, h.severity]), [
      [1, 'CRITICAL'],
      [3, 'HIGH'],
    ]);
    assert.equal(hits[1]?.message, "Account 'app' has an empty password field in /etc/shadow: it can log in without a password");
  });
});
