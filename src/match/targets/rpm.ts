import type { OsInfo } from '../../types.js';
import type { EcosystemTargets } from '../target.js';

/**
 * OSV release keys for RHEL-family images. Rebuilds without advisories of their own are
 * matched against AlmaLinux's, which ships the same package names and EVRs per major.
 */
const FAMILY: Readonly<Record<string, string>> = {
  almalinux: 'almalinux',
  rocky: 'rocky',
  rhel: 'rhel',
  centos: 'almalinux',
  ol: 'almalinux',
};

export function rpmRelease(os: OsInfo | undefined): string | undefined {
  if (!os) return undefined;
  const family = FAMILY[os.id];
  const major = /^(\d+)/.exec(os.version)?.[1];
  return family && major ? `${family}:${major}` : undefined;
}

/** RHEL-family advisories name binary packages and full epoch:version-release strings. */
export const rpmTargets: EcosystemTargets = {
  ecosystem: 'rpm',
  target(pkg, os) {
    const distro = rpmRelease(os);
    if (!distro) return undefined;
    return { ecosystem: 'rpm', distro, name: pkg.name, version: pkg.version };
  },
  unsupportedReason(os) {
    if (!os) return 'no /etc/os-release found';
    return `rpm packages on ${os.id} ${os.version} are not matched yet (RHEL, AlmaLinux, Rocky, CentOS, Oracle Linux)`;
  },
  rank() {
    return 0;
  },
};
