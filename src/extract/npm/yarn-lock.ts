/**
 * yarn.lock, classic (v1, yarn's own syntax) and berry (v2+, YAML with __metadata).
 * Neither records install paths nor which packages are dev-only.
 */
import lockfile from '@yarnpkg/lockfile';
import { parse as parseYaml } from 'yaml';
import { isRecord, str } from '../language-file.js';
import { isRegistryVersion, splitAlias, splitIdent, type LockEntry } from './lock-entry.js';

/** Local sources: the project's own code, not a published release. */
const LOCAL_PROTOCOLS = ['file:', 'link:', 'portal:', 'workspace:', 'exec:', 'patch:'];

function isLocal(range: string): boolean {
  return LOCAL_PROTOCOLS.some((p) => range.startsWith(p));
}

function dedupe(entries: LockEntry[]): LockEntry[] {
  const seen = new Map<string, LockEntry>();
  for (const e of entries) if (!seen.has(`${e.name}@${e.version}`)) seen.set(`${e.name}@${e.version}`, e);
  return [...seen.values()];
}

function parseClassic(text: string): LockEntry[] {
  const result = lockfile.parse(text, 'yarn.lock');
  if (result.type === 'conflict') throw new Error('unresolved merge conflict');
  const out: LockEntry[] = [];
  for (const [key, value] of Object.entries(result.object)) {
    if (!isRecord(value)) continue;
    const ident = splitIdent(key);
    const version = str(value.version);
    if (!ident || !version || isLocal(ident[1])) continue;
    // "alias@npm:real@^1" installs `real`
    const name = splitAlias(ident[1])?.name ?? ident[0];
    if (isRegistryVersion(version)) out.push({ name, version });
  }
  return dedupe(out);
}

function parseBerry(doc: Record<string, unknown>): LockEntry[] {
  const out: LockEntry[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(value) || value.linkType === 'soft') continue;
    // resolution names what was installed, aliases resolved: "real@npm:1.2.3"
    const ident = splitIdent(str(value.resolution) ?? '');
    const version = str(value.version);
    if (!ident || !version || isLocal(ident[1])) continue;
    if (isRegistryVersion(version)) out.push({ name: ident[0], version });
  }
  return dedupe(out);
}

/** Throws on a file that is not a yarn lock. */
export function parseYarnLock(text: string): LockEntry[] {
  // berry files are YAML: every key is quoted or plain, and __metadata comes first
  if (/^__metadata:/m.test(text)) {
    const doc: unknown = parseYaml(text, { schema: 'failsafe', maxAliasCount: 100 });
    if (!isRecord(doc)) throw new Error('not a YAML mapping');
    return parseBerry(doc);
  }
  return parseClassic(text);
}
