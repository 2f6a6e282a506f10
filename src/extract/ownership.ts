/**
 * Which OS package installed a file. Language packages found in such files are listed
 * with `ownedBy`; the matcher then leaves most of them to the OS advisories (see
 * docs/matching.md: distributions patch interpreted-language packages in place without
 * changing the upstream version, so matching them against language advisories would
 * report fixed flaws; compiled-in code such as a Go binary's stdlib is still matched).
 */
import type { ImageFilesystem } from '../image/filesystem.js';
import type { FileClaim } from '../image/layer.js';
import type { Package } from '../types.js';
import { parseApkInstalled } from './apk/parse.js';

const APK_INSTALLED = 'lib/apk/db/installed';

const DPKG_INFO = 'var/lib/dpkg/info/';
const DPKG_STATUS_D = 'var/lib/dpkg/status.d/';

/** dpkg's per-package file lists (and distroless md5sums); a few MB for a large image. */
export const ownershipClaim: FileClaim = {
  name: 'file-ownership',
  maxBytes: 16 * 1024 * 1024,
  wants: (path) =>
    (path.startsWith(DPKG_INFO) && path.endsWith('.list')) || (path.startsWith(DPKG_STATUS_D) && path.endsWith('.md5sums')),
};

function packageOf(path: string, prefix: string, suffix: string): string {
  // dpkg names multi-arch lists pkg:arch.list
  return path.slice(prefix.length, -suffix.length).split(':')[0]!;
}

/** Path (no leading slash) -> owning OS package, from the files visible in the final image. */
export function ownedFiles(fs: ImageFilesystem): Map<string, string> {
  const owners = new Map<string, string>();
  for (const node of fs.entries()) {
    const path = node.entry.path;
    if (node.entry.type !== 'file' || !ownershipClaim.wants(path, node.entry)) continue;
    const content = fs.read(path)?.content.toString('utf8');
    if (!content) continue;
    const md5sums = path.endsWith('.md5sums');
    const pkg = md5sums ? packageOf(path, DPKG_STATUS_D, '.md5sums') : packageOf(path, DPKG_INFO, '.list');
    for (const line of content.split('\n')) {
      // .list: "/usr/bin/fzf"; md5sums: "<md5>  usr/bin/fzf"
      const file = md5sums ? line.slice(line.indexOf('  ') + 2) : line;
      const clean = file.replace(/^\/+/, '').trim();
      if (clean) owners.set(clean, pkg);
    }
  }
  addApkOwners(fs, owners);
  return owners;
}

/** apk's installed db lists each package's files (F: dir, R: file); the apk claim captures it. */
function addApkOwners(fs: ImageFilesystem, owners: Map<string, string>): void {
  const db = fs.read(APK_INSTALLED);
  if (!db) return;
  try {
    for (const rec of parseApkInstalled(db.content.toString('utf8'), APK_INSTALLED)) {
      for (const file of rec.files) owners.set(file.replace(/^\/+/, ''), rec.name);
    }
  } catch {
    // the apk extractor reports an unreadable db; ownership is only a refinement
  }
}

/** Marks language packages whose declaring file an OS package installed. */
export function markOwned(packages: Package[], owners: ReadonlyMap<string, string>): void {
  if (owners.size === 0) return;
  for (const pkg of packages) {
    if (pkg.ecosystem === 'deb' || pkg.ecosystem === 'apk' || pkg.ecosystem === 'rpm' || pkg.ownedBy) continue;
    for (const path of pkg.paths) {
      const owner = owners.get(path.replace(/^\/+/, '').split('!')[0]!);
      if (owner) {
        pkg.ownedBy = owner;
        break;
      }
    }
  }
}
