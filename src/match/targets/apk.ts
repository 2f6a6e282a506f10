import type { OsInfo } from '../../types.js';
import type { EcosystemTargets } from '../target.js';

/** Alpine secdb branches are 'v3.16' for every 3.16.x release; edge images report e.g. 3.21_alpha. */
export function alpineBranch(os: OsInfo | undefined): string | undefined {
  if (!os || os.id !== 'alpine') return undefined;
  const m = /^(\d+)\.(\d+)/.exec(os.version);
  if (!m) return undefined;
  if (/_alpha|_beta|_rc/.test(os.version)) return 'alpine:edge';
  return `alpine:v${m[1]}.${m[2]}`;
}

/** Alpine secfixes are declared in the origin (aports) package and apply to all its subpackages. */
export const apkTargets: EcosystemTargets = {
  ecosystem: 'apk',
  target(pkg, os) {
    const distro = alpineBranch(os);
    if (!distro) return undefined;
    return { ecosystem: 'apk', distro, name: pkg.source?.name ?? pkg.name, version: pkg.version };
  },
  unsupportedReason(os) {
    if (!os) return 'no /etc/os-release or /etc/alpine-release found';
    return os.id === 'alpine' ? `Alpine release ${os.version} is not known` : `apk packages on ${os.id} are not matched yet (only Alpine)`;
  },
  rank(source) {
    return source === 'alpine-secdb' ? 0 : 1;
  },
};
