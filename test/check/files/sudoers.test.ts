import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sudoNopasswd as rule } from '../../../src/check/files/rules/sudoers.js';
import { run } from './helpers.js';

/** Debian bookworm's /etc/sudoers from the sudo package. */
const DEBIAN = `#
# This file MUST be edited with the 'visudo' command as root.
#
# Please consider adding local content in /etc/sudoers.d/ instead of
# directly modifying this file.
#
# See the man page for details on how to write a sudoers file.
#
Defaults	env_reset
Defaults	mail_badpass
Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# This fixes CVE-2005-4890 and possibly breaks some versions of kdesu
# (#1011624, https://bugs.kali.org/view.php?id=7181)
Defaults	use_pty

# Host alias specification

# User alias specification

# Cmnd alias specification

# User privilege specification
root	ALL=(ALL:ALL) ALL

# Allow members of group sudo to execute any command
%sudo	ALL=(ALL:ALL) ALL

# See sudoers(5) for more information on "@include" directives:

@includedir /etc/sudoers.d
`;

describe('config/sudo-nopasswd', () => {
  it('wants etc/sudoers and the files sudo reads from etc/sudoers.d', () => {
    assert.ok(rule.wants('etc/sudoers'));
    assert.ok(rule.wants('etc/sudoers.d/app'));
    assert.ok(rule.wants('etc/sudoers.d/README'));
    for (const p of ['etc/sudoers.d/app.bak', 'etc/sudoers.d/app~', 'etc/sudoers.dist', 'etc/sudoers.d/sub/app', 'usr/etc/sudoers']) {
      assert.ok(!rule.wants(p), p);
    }
  });

  it("Debian's stock sudoers gives nothing", () => {
    assert.deepEqual(run(rule, 'etc/sudoers', DEBIAN), []);
  });

  it('a NOPASSWD: ALL drop-in is HIGH with the rule quoted; commented ones are ignored', () => {
    const text = '# %wheel ALL=(ALL) NOPASSWD: ALL\n#%admin ALL=(ALL) NOPASSWD: ALL\napp ALL=(ALL)\tNOPASSWD:ALL  # for the entrypoint\n';
    const hits = run(rule, 'etc/sudoers.d/app', text);
    assert.deepEqual(hits, [{ message: 'sudoers rule gives root without a password: app ALL=(ALL) NOPASSWD:ALL', line: 3, severity: 'HIGH' }]);
  });

  it('specific commands are MEDIUM; a shell among them, a #uid user or a continued line still count', () => {
    const text = [
      'deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app, /usr/bin/journalctl',
      'ops ALL=(root) NOPASSWD: SETENV: /usr/bin/apt-get, /bin/bash',
      '#1000 ALL=(ALL) NOPASSWD: ALL',
      '%devs ALL = (ALL) \\',
      '    NOPASSWD: ALL',
      'jane ALL=(ALL) PASSWD: ALL',
    ].join('\n');
    const hits = run(rule, 'etc/sudoers', text);
    assert.deepEqual(hits.map((h) => [h.line, h.severity]), [
      [1, 'MEDIUM'],
      [2, 'HIGH'],
      [3, 'HIGH'],
      [4, 'HIGH'],
    ]);
    assert.equal(hits[3]?.message, 'sudoers rule gives root without a password: %devs ALL = (ALL) NOPASSWD: ALL');
  });

  it('Defaults !authenticate is a hit of its own', () => {
    const hits = run(rule, 'etc/sudoers.d/nopw', 'Defaults:app !authenticate\nDefaults env_keep += "HOME"\n');
    assert.deepEqual(hits.map((h) => [h.line, h.severity]), [[1, 'HIGH']]);
    assert.match(hits[0]?.message ?? '', /turn password checks off/);
  });
});
