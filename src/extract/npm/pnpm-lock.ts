/**
 * pnpm-lock.yaml. Package keys changed format twice:
 *   v5:  /name/1.2.3, /@scope/name/1.2.3_peer@2.0.0 (or registry.host/name/1.2.3)
 *   v6:  /name@1.2.3, /@scope/name@1.2.3(peer@2.0.0)
 *   v9:  name@1.2.3 (peers only in `snapshots` keys)
 * v5 and v6 mark each package `dev: true|false`; v9 dropped the flag, so it is worked
 * out from the importers' dependency kinds through the snapshot graph.
 */
import { parse as parseYaml } from 'yaml';
import { isRecord, str } from '../language-file.js';
import { isRegistryVersion, type LockEntry } from './lock-entry.js';

/** Drop a registry host prefix ("registry.example.org/foo") that is not a scope. */
function stripHost(name: string): string {
  if (!name.includes('/') || (name.startsWith('@') && name.indexOf('/') === name.lastIndexOf('/'))) return name;
  const scoped = name.indexOf('/@');
  return scoped >= 0 ? name.slice(scoped + 1) : name.slice(name.lastIndexOf('/') + 1);
}

/** Name and version of a package key; undefined for keys that are not name+version (tarballs, git). */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | undefined {
  if (major < 6) {
    // "/name/1.2.3_peer" or "host/name/1.2.3": everything before the first '/' is a host or empty
    const rest = key.slice(key.indexOf('/') + 1);
    const parts = rest.split('/');
    const scoped = parts[0]?.startsWith('@') ?? false;
    const name = scoped ? `${parts[0]}/${parts[1] ?? ''}` : parts[0];
    const version = parts[scoped ? 2 : 1];
    if (!name || !version || parts.length !== (scoped ? 3 : 2)) return undefined;
    const underscore = version.indexOf('_');
    return { name, version: underscore >= 0 ? version.slice(0, underscore) : version };
  }
  const bare = key.startsWith('/') ? key.slice(1) : key;
  const paren = bare.indexOf('(');
  const id = paren >= 0 ? bare.slice(0, paren) : bare;
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: stripHost(id.slice(0, at)), version: id.slice(at + 1) };
}

function boolOf(v: unknown): boolean | undefined {
  // failsafe schema: every scalar is a string
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

function majorOf(doc: Record<string, unknown>): number {
  const raw = doc.lockfileVersion;
  const n = Number.parseFloat(typeof raw === 'string' ? raw : String(raw));
  if (!Number.isFinite(n)) throw new Error('no lockfileVersion: not a pnpm lock');
  return Math.floor(n);
}

/** A v9 dependency value: "1.2.3(peer@1.0.0)", "link:../x", or an alias target "real@1.2.3". */
function snapshotKey(depName: string, value: string): string | undefined {
  if (value.startsWith('link:') || value.startsWith('file:')) return undefined;
  const paren = value.indexOf('(');
  const head = paren >= 0 ? value.slice(0, paren) : value;
  return head.indexOf('@', 1) > 0 ? value : `${depName}@${value}`;
}

/** Strip the peer suffix from a v9 snapshot key to get its package key. */
function packageKeyOf(snapshot: string): string {
  const paren = snapshot.indexOf('(');
  return paren >= 0 ? snapshot.slice(0, paren) : snapshot;
}

function depValues(deps: unknown): Array<[string, string]> {
  if (!isRecord(deps)) return [];
  const out: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(deps)) {
    // importers: {specifier, version}; snapshots: plain version
    const version = isRecord(v) ? str(v.version) : str(v);
    if (version) out.push([name, version]);
  }
  return out;
}

/** v9: dev = reachable from some importer's devDependencies and from no production or optional dependency. */
function devByGraph(doc: Record<string, unknown>): Map<string, boolean> {
  const snapshots = isRecord(doc.snapshots) ? doc.snapshots : {};
  const importers = isRecord(doc.importers) ? Object.values(doc.importers).filter(isRecord) : [];
  const walk = (roots: Array<[string, string]>): Set<string> => {
    const seen = new Set<string>();
    const stack = roots.map(([n, v]) => snapshotKey(n, v)).filter((k): k is string => k !== undefined);
    while (stack.length) {
      const key = stack.pop()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const snap = Object.hasOwn(snapshots, key) ? snapshots[key] : undefined;
      if (!isRecord(snap)) continue;
      for (const [n, v] of [...depValues(snap.dependencies), ...depValues(snap.optionalDependencies)]) {
        const child = snapshotKey(n, v);
        if (child && !seen.has(child)) stack.push(child);
      }
    }
    return new Set([...seen].map(packageKeyOf));
  };
  const prod = walk(importers.flatMap((i) => [...depValues(i.dependencies), ...depValues(i.optionalDependencies)]));
  const dev = walk(importers.flatMap((i) => depValues(i.devDependencies)));
  const out = new Map<string, boolean>();
  for (const k of dev) out.set(k, true);
  for (const k of prod) out.set(k, false);
  return out;
}

/** Throws on a file that is not a pnpm lock. */
export function parsePnpmLock(text: string): LockEntry[] {
  const doc: unknown = parseYaml(text, { schema: 'failsafe', maxAliasCount: 100 });
  if (!isRecord(doc)) throw new Error('not a YAML mapping');
  const major = majorOf(doc);
  if (doc.packages === undefined) return [];
  if (!isRecord(doc.packages)) throw new Error('packages is not a mapping');
  const graphDev = major >= 9 ? devByGraph(doc) : undefined;
  const seen = new Map<string, LockEntry>();
  for (const [key, value] of Object.entries(doc.packages)) {
    const entry = isRecord(value) ? value : {};
    // tarball and git dependencies carry their own name and version
    const parsed = str(entry.name) && str(entry.version) ? { name: str(entry.name)!, version: str(entry.version)! } : parsePnpmKey(key, major);
    if (!parsed || parsed.name === '' || !isRegistryVersion(parsed.version)) continue;
    const dev = graphDev ? graphDev.get(key) : boolOf(entry.dev);
    const id = `${parsed.name}@${parsed.version}`;
    const prior = seen.get(id);
    // peer variants of one release (v5/v6 keys) are one package: dev only if every variant is
    if (prior) {
      const both = prior.dev === false || dev === false ? false : prior.dev === true && dev === true ? true : undefined;
      if (both === undefined) delete prior.dev;
      else prior.dev = both;
    } else {
      const e: LockEntry = { name: parsed.name, version: parsed.version };
      if (dev !== undefined) e.dev = dev;
      seen.set(id, e);
    }
  }
  return [...seen.values()];
}
