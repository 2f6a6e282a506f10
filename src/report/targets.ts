/**
 * Groups vulnerability findings by where they live, as a person fixes them: the OS
 * packages (one package manager), then each application root or artefact (an npm
 * project's node_modules, a Python site-packages, a directory of jars, a Go binary).
 */
import type { Inventory, OsInfo, Package, VulnerabilityFinding } from '../types.js';

export interface FindingTarget {
  /** Stable key: 'os' or 'ecosystem:path'. */
  key: string;
  title: string;
  findings: VulnerabilityFinding[];
}

const OS_ECOSYSTEMS = new Set(['deb', 'apk', 'rpm']);
const PACKAGE_MANAGER: Record<string, string> = { deb: 'dpkg', apk: 'apk', rpm: 'rpm' };

/** Folders that hold many installed packages of one application: the part before them is the target. */
const INSTALL_DIRS: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^(.*?)\/?node_modules\//, (m) => m[1] || '/'],
  [/^(.*?\/(?:site|dist)-packages)\//, (m) => m[1]!],
  [/^(.*?)\/specifications\/[^/]+\.gemspec$/, (m) => m[1]!],
  [/^(.*?\/vendor)\/composer\/installed\.json$/, (m) => m[1]!],
];

/** The application root or artefact a language package belongs to. */
export function targetPath(pkg: Pick<Package, 'paths' | 'ecosystem'>): string {
  const path = (pkg.paths[0] ?? '').split('!')[0]!;
  for (const [pattern, root] of INSTALL_DIRS) {
    const m = path.match(pattern);
    if (m) return root(m);
  }
  // jars sit side by side in lib/ folders: the folder is the application
  if (/\.(jar|war|ear)$/i.test(path)) return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '/';
  return path || 'unknown';
}

function osTitle(os: OsInfo | undefined, ecosystem: string): string {
  const name = os ? (os.prettyName ?? `${os.id} ${os.version}`) : 'unknown OS';
  return `${name} (OS packages, ${PACKAGE_MANAGER[ecosystem] ?? ecosystem})`;
}

export function groupByTarget(findings: readonly VulnerabilityFinding[], inventory: Inventory): FindingTarget[] {
  // one purl can be installed twice (a jar bundled by the app and by an OS package): the layer tells them apart
  const byPurl = new Map<string, Package>();
  for (const p of inventory.packages) {
    if (!byPurl.has(`${p.purl}@${p.layer}`)) byPurl.set(`${p.purl}@${p.layer}`, p);
    if (!byPurl.has(p.purl)) byPurl.set(p.purl, p);
  }
  const groups = new Map<string, FindingTarget>();
  for (const f of findings) {
    const eco = f.package.ecosystem;
    let key: string;
    let title: string;
    if (OS_ECOSYSTEMS.has(eco)) {
      key = 'os';
      title = osTitle(inventory.os, eco);
    } else {
      const pkg = byPurl.get(`${f.package.purl}@${f.layer}`) ?? byPurl.get(f.package.purl);
      const path = pkg ? targetPath(pkg) : 'unknown';
      key = `${eco}:${path}`;
      title = `${path} (${eco})`;
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, title, findings: [] }));
    g.findings.push(f);
  }
  // OS packages first, then the application targets by path
  return [...groups.values()].sort((a, b) => (a.key === 'os' ? -1 : b.key === 'os' ? 1 : a.title.localeCompare(b.title)));
}
