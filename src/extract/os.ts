import type { ImageFilesystem } from '../image/filesystem.js';
import type { FileClaim } from '../image/layer.js';
import type { OsInfo } from '../types.js';
import { detectOs } from './os-release.js';

const RELEASE_FILES = new Set(['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release', 'etc/debian_version']);

/**
 * etc/os-release is usually a symlink to usr/lib/os-release, so both are claimed; likewise
 * etc/system-release and etc/redhat-release link to etc/<distro>-release, so every
 * etc/*-release is.
 */
export const osReleaseClaim: FileClaim = {
  name: 'os-release',
  maxBytes: 64 * 1024,
  wants: (path) => RELEASE_FILES.has(path) || (path.startsWith('etc/') && path.endsWith('-release') && path.indexOf('/', 4) === -1),
};

export function detectImageOs(fs: ImageFilesystem): OsInfo | undefined {
  const text = (p: string): string | undefined => fs.read(p)?.content.toString('utf8');
  const osReleasePath = fs.read('etc/os-release') ? 'etc/os-release' : 'usr/lib/os-release';
  return detectOs({
    osRelease: text(osReleasePath),
    osReleasePath,
    alpineRelease: text('etc/alpine-release'),
    debianVersion: text('etc/debian_version'),
    systemRelease: text('etc/system-release'),
    redhatRelease: text('etc/redhat-release'),
  });
}
