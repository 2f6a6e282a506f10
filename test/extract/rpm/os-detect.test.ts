/** RPM-based distributions: os-release as each ships it, and the release-file fallbacks. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectOs } from '../../../src/extract/os-release.js';
import { osReleaseClaim } from '../../../src/extract/os.js';
import type { LayerEntry } from '../../../src/image/layer.js';
import type { OsInfo } from '../../../src/types.js';
import { CavasError } from '../../../src/util/errors.js';

const OS_RELEASE: Array<[family: string, text: string, expected: OsInfo]> = [
  [
    'RHEL 9 (UBI)',
    'NAME="Red Hat Enterprise Linux"\nVERSION="9.3 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"\nANSI_COLOR="0;31"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n',
    { id: 'rhel', version: '9.3', prettyName: 'Red Hat Enterprise Linux 9.3 (Plow)', idLike: ['fedora'] },
  ],
  [
    'CentOS 7',
    'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\nANSI_COLOR="0;31"\nCPE_NAME="cpe:/o:centos:centos:7"\n\nCENTOS_MANTISBT_PROJECT="CentOS-7"\nREDHAT_SUPPORT_PRODUCT_VERSION="7"\n',
    { id: 'centos', version: '7', prettyName: 'CentOS Linux 7 (Core)', idLike: ['rhel', 'fedora'] },
  ],
  [
    'Rocky Linux 9',
    'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
    { id: 'rocky', version: '9.3', prettyName: 'Rocky Linux 9.3 (Blue Onyx)', idLike: ['rhel', 'centos', 'fedora'] },
  ],
  [
    'AlmaLinux 9',
    'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"\n',
    { id: 'almalinux', version: '9.3', prettyName: 'AlmaLinux 9.3 (Shamrock Pampas Cat)', idLike: ['rhel', 'centos', 'fedora'] },
  ],
  [
    'Oracle Linux 8',
    'NAME="Oracle Linux Server"\nVERSION="8.9"\nID="ol"\nID_LIKE="fedora"\nVARIANT="Server"\nVARIANT_ID="server"\nVERSION_ID="8.9"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="Oracle Linux Server 8.9"\n',
    { id: 'ol', version: '8.9', prettyName: 'Oracle Linux Server 8.9', idLike: ['fedora'] },
  ],
  [
    'Amazon Linux 2',
    'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n',
    { id: 'amzn', version: '2', prettyName: 'Amazon Linux 2', idLike: ['centos', 'rhel', 'fedora'] },
  ],
  [
    'Amazon Linux 2023',
    'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPLATFORM_ID="platform:al2023"\nPRETTY_NAME="Amazon Linux 2023.3.20240108"\n',
    { id: 'amzn', version: '2023', prettyName: 'Amazon Linux 2023.3.20240108', idLike: ['fedora'] },
  ],
  [
    'Fedora 39 (empty VERSION_CODENAME)',
    'NAME="Fedora Linux"\nVERSION="39 (Container Image)"\nID=fedora\nVERSION_ID=39\nVERSION_CODENAME=""\nPLATFORM_ID="platform:f39"\nPRETTY_NAME="Fedora Linux 39 (Container Image)"\n',
    { id: 'fedora', version: '39', prettyName: 'Fedora Linux 39 (Container Image)' },
  ],
  [
    'SLES 15 SP5',
    'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\n',
    { id: 'sles', version: '15.5', prettyName: 'SUSE Linux Enterprise Server 15 SP5', idLike: ['suse'] },
  ],
  [
    'openSUSE Leap 15.5',
    'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n',
    { id: 'opensuse-leap', version: '15.5', prettyName: 'openSUSE Leap 15.5', idLike: ['suse', 'opensuse'] },
  ],
  [
    'openSUSE Tumbleweed (commented VERSION)',
    'NAME="openSUSE Tumbleweed"\n# VERSION="20240101"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\nVERSION_ID="20240101"\nPRETTY_NAME="openSUSE Tumbleweed"\n',
    { id: 'opensuse-tumbleweed', version: '20240101', prettyName: 'openSUSE Tumbleweed', idLike: ['opensuse', 'suse'] },
  ],
];

describe('os-release of RPM-based distributions', () => {
  for (const [family, text, expected] of OS_RELEASE) {
    test(family, () => assert.deepEqual(detectOs({ osRelease: text }), expected));
  }
});

describe('etc/system-release and etc/redhat-release fallbacks', () => {
  const lines: Array<[string, OsInfo | undefined]> = [
    ['AlmaLinux release 9.3 (Shamrock Pampas Cat)', { id: 'almalinux', version: '9.3' }],
    ['CentOS Linux release 7.9.2009 (Core)', { id: 'centos', version: '7' }],
    ['CentOS Stream release 9', { id: 'centos', version: '9' }],
    ['Red Hat Enterprise Linux release 9.3 (Plow)', { id: 'rhel', version: '9.3' }],
    ['Red Hat Enterprise Linux Server release 7.9 (Maipo)', { id: 'rhel', version: '7.9' }],
    ['Rocky Linux release 8.9 (Green Obsidian)', { id: 'rocky', version: '8.9' }],
    ['Oracle Linux Server release 7.9', { id: 'ol', version: '7.9' }],
    ['Fedora release 39 (Thirty Nine)', { id: 'fedora', version: '39' }],
    ['Amazon Linux release 2 (Karoo)', { id: 'amzn', version: '2' }],
    ['Amazon Linux release 2023.3.20240108 (Amazon Linux)', { id: 'amzn', version: '2023' }],
    ['Amazon Linux AMI release 2018.03', { id: 'amzn', version: '2018.03' }],
    ['EuroLinux release 9.2 (Minsk)', undefined],
  ];
  for (const [line, expected] of lines) {
    test(line, () => {
      const want = expected && { ...expected, prettyName: line };
      assert.deepEqual(detectOs({ redhatRelease: `${line}\n` }), want);
      assert.deepEqual(detectOs({ systemRelease: `\n${line}\n` }), want);
    });
  }

  test('Oracle Linux: system-release wins over the RHEL text in redhat-release', () => {
    assert.deepEqual(detectOs({ redhatRelease: 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n', systemRelease: 'Oracle Linux Server release 7.9\n' }), {
      id: 'ol',
      version: '7.9',
      prettyName: 'Oracle Linux Server release 7.9',
    });
  });

  test('os-release wins over them', () => {
    assert.equal(detectOs({ osRelease: 'ID=rocky\nVERSION_ID=9.3\n', redhatRelease: 'AlmaLinux release 9.3\n' })?.id, 'rocky');
  });

  test('a file that is no release line', () => {
    for (const [text, why] of [
      ['<html>not found</html>', /etc\/redhat-release: line 1: not a release line: "<html>not found<\/html>"/],
      ['Fedora release\x00 39', /binary data/],
      ['', /not a release line/],
    ] as const) {
      assert.throws(
        () => detectOs({ redhatRelease: text }),
        (e: unknown) => e instanceof CavasError && e.code === 'BAD_PACKAGE_DB' && why.test(e.message),
      );
    }
  });
});

test('the claim takes every etc/*-release file and nothing deeper', () => {
  const entry = (path: string): LayerEntry => ({ path, type: 'file', mode: 0o644, size: 40, uid: 0, gid: 0 });
  for (const p of ['etc/almalinux-release', 'etc/redhat-release', 'etc/system-release', 'etc/os-release', 'usr/lib/os-release', 'etc/debian_version']) {
    assert.equal(osReleaseClaim.wants(p, entry(p)), true, p);
  }
  for (const p of ['etc/yum.repos.d/x-release', 'usr/etc/os-release', 'etc/release', 'etc/system-release-cpe']) {
    assert.equal(osReleaseClaim.wants(p, entry(p)), false, p);
  }
});
