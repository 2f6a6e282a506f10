/**
 * Checks of file metadata in the final filesystem: modes and well-known paths. They need
 * no file content, so they cost nothing beyond the walk.
 */
import type { FsNode } from '../../image/filesystem.js';
import type { RuleHit } from '../rule.js';
import type { ImageCheckContext } from './context.js';
import type { ImageRule } from './image-rules.js';

const NIST_CONFIG = 'NIST SP 800-190 3.1.2';
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/**
 * Used when the image has no package file lists (distroless without md5sums, rpm): the
 * setuid/setgid programs distributions ship on purpose.
 */
const DISTRO_SETUID = new Set([
  'su', 'sudo', 'passwd', 'chsh', 'chfn', 'gpasswd', 'newgrp', 'mount', 'umount', 'ping', 'ping6',
  'unix_chkpwd', 'chage', 'expiry', 'wall', 'write', 'crontab', 'ssh-agent', 'pkexec', 'newuidmap',
  'newgidmap', 'fusermount', 'fusermount3', 'bbsuid', 'dotlockfile', 'pam_timestamp_check', 'userhelper',
  'ssh-keysign', 'polkit-agent-helper-1', 'dbus-daemon-launch-helper', 'Xorg.wrap', 'at', 'staprun',
]);

/** Owner lookup that also tries the path as the package lists spell it under merged /usr. */
function ownerOf(ctx: ImageCheckContext, path: string): string | undefined {
  const direct = ctx.owners.get(path);
  if (direct) return direct;
  // bookworm's dpkg lists say /bin/su while the file lives at usr/bin/su behind the bin -> usr/bin link
  if (path.startsWith('usr/')) {
    const legacy = path.slice(4);
    if (ctx.fs.resolve(legacy) === path) return ctx.owners.get(legacy);
  }
  return undefined;
}

function modeString(mode: number): string {
  return '0' + (mode & 0o7777).toString(8);
}

export const setuidFiles: ImageRule = {
  id: 'config/setuid-file',
  kind: 'config',
  severity: 'HIGH',
  title: 'setuid/setgid file not installed by the distribution',
  remediation: 'Remove the file or its setuid/setgid bit (`chmod u-s,g-s <file>`) in the Dockerfile; no application needs to become root.',
  references: ['CIS Docker 4.8', NIST_CONFIG],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const node of ctx.fs.entries()) {
      const { entry } = node;
      if (entry.type !== 'file' || (entry.mode & (S_ISUID | S_ISGID)) === 0) continue;
      const owner = ownerOf(ctx, entry.path);
      if (owner) continue;
      const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      if (ctx.owners.size === 0 && DISTRO_SETUID.has(base)) continue;
      const setuid = (entry.mode & S_ISUID) !== 0;
      const who = setuid ? `setuid ${entry.uid === 0 ? 'root' : `uid ${entry.uid}`}` : `setgid gid ${entry.gid}`;
      hits.push({
        path: entry.path,
        layer: node.layer,
        message: `/${entry.path} is ${who} (mode ${modeString(entry.mode)}) and no OS package installed it`,
        // setgid to a non-root group grants less than setuid root
        severity: setuid && entry.uid === 0 ? 'HIGH' : 'MEDIUM',
      });
    }
    return hits;
  },
};

/** Where anyone may write by design. */
const SCRATCH_DIRS = ['tmp', 'var/tmp', 'dev/shm', 'run/lock', 'var/lock', 'dev'];

function inScratch(path: string): boolean {
  return SCRATCH_DIRS.some((d) => path === d || path.startsWith(d + '/'));
}

function worldWritable(node: FsNode): boolean {
  const { entry } = node;
  if ((entry.mode & 0o002) === 0) return false;
  if (entry.type === 'file') return true;
  // a sticky world-writable directory (like /tmp) lets nobody delete another user's files
  return entry.type === 'dir' && (entry.mode & S_ISVTX) === 0;
}

const MAX_LISTED = 20;

export const worldWritableFiles: ImageRule = {
  id: 'config/world-writable',
  kind: 'config',
  severity: 'MEDIUM',
  title: 'World-writable file or directory',
  remediation: 'Drop the others-write bit (`chmod o-w`), or use a sticky directory owned by the application user.',
  references: ['CIS Docker 4.8', NIST_CONFIG],
  check(ctx) {
    const hits: RuleHit[] = [];
    let more = 0;
    for (const node of ctx.fs.entries()) {
      if (!worldWritable(node) || inScratch(node.entry.path)) continue;
      if (hits.length >= MAX_LISTED) {
        more++;
        continue;
      }
      const kind = node.entry.type === 'dir' ? 'directory' : 'file';
      hits.push({ path: node.entry.path, layer: node.layer, message: `/${node.entry.path} is a world-writable ${kind} (mode ${modeString(node.entry.mode)})` });
    }
    if (more > 0) hits.push({ message: `and ${more} more world-writable paths`, field: 'filesystem' });
    return hits;
  },
};

const HOST_KEY_RE = /^etc\/ssh\/ssh_host_[a-z0-9]+_key$/;

export const sshHostKeys: ImageRule = {
  id: 'config/ssh-host-key',
  kind: 'config',
  severity: 'HIGH',
  title: 'SSH host private key baked into the image',
  remediation: 'Delete /etc/ssh/ssh_host_* in the build and generate host keys when the container starts (or do not run sshd).',
  references: ['CIS Docker 4.10', 'NIST SP 800-190 3.1.4'],
  check(ctx) {
    const hits: RuleHit[] = [];
    for (const node of ctx.fs.entries()) {
      if (node.entry.type === 'file' && HOST_KEY_RE.test(node.entry.path)) {
        hits.push({ path: node.entry.path, layer: node.layer, message: `/${node.entry.path}: every container from this image shares this host key` });
      }
    }
    return hits;
  },
};

export const fsRules: readonly ImageRule[] = [setuidFiles, worldWritableFiles, sshHostKeys];
