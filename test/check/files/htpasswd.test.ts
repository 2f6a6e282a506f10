import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { htpasswdDefaultCredentials as rule, MAX_HTPASSWD_USERS } from '../../../src/check/files/rules/htpasswd.js';
import { BcryptBudget, hashScheme, MAX_BCRYPT_COST, weakHashReason } from '../../../src/check/files/password-hash.js';
import { run } from './helpers.js';

/** Hashes come from Apache's own htpasswd (apache2-utils), the oracle for every scheme. */
function hasHtpasswd(): boolean {
  try {
    execFileSync('htpasswd', ['-nbs', 'u', 'p'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
// CI installs apache2-utils: there a missing tool is a failure, not a skip.
const skip = !hasHtpasswd() && !process.env.CI ? 'htpasswd (apache2-utils) not installed' : false;

function htpasswd(flags: string[], user: string, password: string): string {
  return execFileSync('htpasswd', ['-nb', ...flags, user, password], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const SCHEMES: Array<[string, string[]]> = [
  ['bcrypt', ['-B']],
  ['Apache MD5', ['-m']],
  ['SHA-1', ['-s']],
  ['stored in plain text', ['-p']],
];

describe('config/default-credentials-htpasswd', () => {
  it('wants htpasswd data files, not the tool, its man page or completions', () => {
    for (const p of ['etc/nginx/.htpasswd', 'etc/apache2/.htpasswd', 'etc/nagios4/htpasswd.users', 'var/www/site.htpasswd', 'etc/htpasswd']) {
      assert.ok(rule.wants(p), p);
    }
    for (const p of ['usr/bin/htpasswd', 'usr/share/man/man1/htpasswd.1.gz', 'usr/share/bash-completion/completions/htpasswd', 'etc/nginx/htpasswd.sh', 'etc/nginx/nginx.conf']) {
      assert.ok(!rule.wants(p), p);
    }
  });

  for (const [name, flags] of SCHEMES) {
    it(`${name}: weak passwords hit, a strong one does not`, { skip }, () => {
      const lines = [
        htpasswd(flags, 'admin', 'admin'),
        htpasswd(flags, 'alice', 'Tr0ub4dor&3-horse-staple'),
        htpasswd(flags, 'bob', 'changeme'),
        htpasswd(flags, 'carol', 'carol-private-9f3k'),
      ];
      const text = `${lines.join('\n')}\n`;
      const hits = run(rule, 'etc/nginx/.htpasswd', text);
      assert.deepEqual(
        hits.map((h) => [h.line, h.message]),
        [
          [1, `htpasswd user 'admin' has a well-known password: its password equals the username (${name})`],
          [3, `htpasswd user 'bob' has a well-known password: its password is a well-known default (${name})`],
        ],
      );
      assert.ok(!hits.some((h) => h.message.includes('changeme')), 'the password itself is never printed');
    });
  }

  it('bcrypt: $2y$ from htpasswd, $2a$/$2b$ from other tools; over cost 12 is not tried', { skip }, () => {
    const y = htpasswd(['-B', '-C', '5'], 'u', 'password').split(':')[1] ?? '';
    assert.match(y, /^\$2y\$05\$/);
    const budget = new BcryptBudget();
    assert.equal(weakHashReason('u', y, budget), 'well-known');
    assert.equal(weakHashReason('u', y.replace('$2y$', '$2a$'), budget), 'well-known');
    assert.equal(weakHashReason('u', y.replace('$2y$', '$2b$'), budget), 'well-known');
    const slow = htpasswd(['-B', '-C', String(MAX_BCRYPT_COST + 1)], 'root', 'root');
    const started = Date.now();
    assert.deepEqual(run(rule, 'etc/apache2/.htpasswd', slow), []);
    assert.ok(Date.now() - started < 500, 'a cost-13 hash must not be tried');
  });

  it('bcrypt work is capped per file: users past the budget are not checked', { skip }, () => {
    const hash = htpasswd(['-B', '-C', '8'], 'x', 'secret').split(':')[1] ?? '';
    // 2^8 units per guess; 'secret' is the 6th guess for user x (after x, password, admin, 123456, changeme).
    assert.equal(weakHashReason('x', hash, new BcryptBudget(6 * 256)), 'well-known');
    assert.equal(weakHashReason('x', hash, new BcryptBudget(5 * 256)), undefined);
    const budget = new BcryptBudget(6 * 256);
    weakHashReason('x', hash, budget);
    assert.equal(budget.units, 0);
  });

  it('skips comments, unknown schemes (crypt, SHA-512 crypt) and users over the per-file cap', () => {
    const sha = (p: string): string => `{SHA}${createHash('sha1').update(p).digest('base64')}`;
    const text = [
      '# generated',
      'des:rEK1ecacw.7.c', // DES crypt: not checked even though it might be weak
      'sha512:$6$saltsalt$KXqlKZPL7kKbQd5Y0DB6LK1wP0HxR2tfU3ne6vbGUm2f4hT0T8oWQ0K0G9iOCvxOBsz4g6OHsQY5VJfNLQhG1/',
      `test:${sha('test')}`,
      ...Array.from({ length: MAX_HTPASSWD_USERS }, (_, i) => `u${i}:${sha(`u${i}`)}`),
    ].join('\n');
    const hits = run(rule, 'etc/htpasswd', text);
    assert.equal(hits.length, MAX_HTPASSWD_USERS, 'test and the first 49 generated users; the 50th is over the cap');
    assert.equal(hits[0]?.line, 4);
    assert.equal(hashScheme('rEK1ecacw.7.c'), undefined);
    assert.equal(hashScheme('$6$saltsalt$abc'), undefined);
  });

  it('a binary file with an htpasswd-like name is not read as text', () => {
    assert.deepEqual(rule.check('\u007fELF\u0002\u0001\u0000admin:admin\n', 'opt/htpasswd-tool'), []);
  });
});
