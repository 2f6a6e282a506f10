import { debianMajorForCodename } from '../../advisory/debian-releases.js';
import type { OsInfo } from '../../types.js';
import type { EcosystemTargets } from '../target.js';

/** Debian release key from os-release: VERSION_ID's major, or the codename for point-less testing images. */
export function debianRelease(os: OsInfo | undefined): string | undefined {
  if (!os || os.id !== 'debian') return undefined;
  const major = /^(\d+)/.exec(os.version)?.[1];
  if (major) return `debian:${major}`;
  const fromCodename = os.codename ? debianMajorForCodename(os.codename) : undefined;
  return fromCodename ? `debian:${fromCodename}` : undefined;
}

/**
 * Debian advisories are about source packages: libssl3 is fixed when src:openssl is, so
 * binaries are matched by their Source: name and version.
 */
export const debTargets: EcosystemTargets = {
  ecosystem: 'deb',
  target(pkg, os) {
    const distro = debianRelease(os);
    if (!distro) return undefined;
    return { ecosystem: 'deb', distro, name: pkg.source?.name ?? pkg.name, version: pkg.source?.version ?? pkg.version };
  },
  unsupportedReason(os) {
    if (!os) return 'no /etc/os-release or /etc/debian_version found';
    return os.id === 'debian' ? `Debian release ${os.version || os.codename || '?'} is not known` : `dpkg packages on ${os.id} are not matched yet (only Debian)`;
  },
  rank(source, advisoryId) {
    if (source === 'debian-tracker') return 0;
    // OSV's per-CVE Debian records are the tracker's own statements; DSAs summarise several
    return advisoryId.startsWith('DEBIAN-') ? 1 : 2;
  },
};
