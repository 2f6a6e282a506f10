/**
 * package-lock.json / npm-shrinkwrap.json / node_modules/.package-lock.json.
 * v2 and v3 list every install path in `packages`; v1 only has the nested
 * `dependencies` tree, whose nesting is the node_modules nesting.
 */
import { isRecord, parseJsonObject, str } from '../language-file.js';
import { isRegistryVersion, splitAlias, type LockEntry } from './lock-entry.js';

const NM = 'node_modules/';
const MAX_DEPTH = 200;

/**
 * dev is true only for `dev`. `devOptional` means "dev, or an optional dependency of a
 * production package" (npm's package-lock docs): it can be installed in production,
 * so it is not counted as dev.
 */
function devFlag(entry: Record<string, unknown>): boolean {
  return entry.dev === true;
}

function fromPackages(packages: Record<string, unknown>): LockEntry[] {
  const out: LockEntry[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    // "" is the project itself; keys outside node_modules are its workspace folders; links point at them
    if (!isRecord(entry) || entry.link === true) continue;
    const at = key.lastIndexOf(NM);
    if (at < 0 || (at > 0 && key[at - 1] !== '/')) continue;
    let name = str(entry.name) ?? key.slice(at + NM.length);
    let version = str(entry.version);
    if (!version || !name) continue;
    const alias = splitAlias(version);
    if (alias) ({ name, version } = alias);
    if (!isRegistryVersion(version)) continue;
    const e: LockEntry = { name, version, path: key, dev: devFlag(entry) };
    const license = str(entry.license);
    if (license) e.license = license;
    out.push(e);
  }
  return out;
}

function fromDependencies(deps: Record<string, unknown>, prefix: string, depth: number, out: LockEntry[]): void {
  if (depth > MAX_DEPTH) throw new Error(`dependencies nested deeper than ${MAX_DEPTH} levels`);
  for (const [key, entry] of Object.entries(deps)) {
    if (!isRecord(entry)) continue;
    const path = `${prefix}${NM}${key}`;
    const raw = str(entry.version);
    if (raw) {
      const alias = splitAlias(raw);
      const name = alias?.name ?? key;
      const version = alias?.version ?? raw;
      if (isRegistryVersion(version)) out.push({ name, version, path, dev: devFlag(entry) });
    }
    if (isRecord(entry.dependencies)) fromDependencies(entry.dependencies, `${path}/`, depth + 1, out);
  }
}

/** Throws on a file that is not a package lock. */
export function parsePackageLock(text: string): LockEntry[] {
  const doc = parseJsonObject(text);
  if (!isRecord(doc)) throw new Error('not a JSON object');
  if (isRecord(doc.packages)) return fromPackages(doc.packages);
  if (isRecord(doc.dependencies)) {
    const out: LockEntry[] = [];
    fromDependencies(doc.dependencies, '', 0, out);
    return out;
  }
  if (typeof doc.lockfileVersion !== 'number') throw new Error('no lockfileVersion, packages or dependencies: not a package lock');
  // a project without dependencies
  return [];
}
