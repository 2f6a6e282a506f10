/**
 * cargo-auditable data: a `.dep-v0` ELF section holding zlib-compressed JSON
 * `{"packages":[{"name","version","source","kind"?,"dependencies"?,"root"?}]}`
 * (https://github.com/rust-secure-code/cargo-auditable, format 0).
 */
import zlib from 'node:zlib';
import type { ElfFile } from '../binary/elf.js';

/** cargo-audit's own cap on the inflated JSON. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface AuditableCrate {
  name: string;
  version: string;
  /** crates.io, git, local, registry, ... */
  source: string;
  /** runtime unless stated; build dependencies only ran at compile time. */
  kind: 'runtime' | 'build';
}

/** The crates a binary was built from; undefined if it has no `.dep-v0`. Throws on a broken one. */
export function readCargoAuditable(elf: ElfFile): AuditableCrate[] | undefined {
  const sec = elf.section('.dep-v0');
  if (!sec) return undefined;
  let json: Buffer;
  try {
    json = zlib.inflateSync(elf.sectionData(sec), { maxOutputLength: MAX_JSON_BYTES });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`.dep-v0 inflates to more than ${MAX_JSON_BYTES} bytes`);
    throw new Error(`.dep-v0 is not zlib data (${(e as Error).message})`);
  }
  return parseAuditableJson(json.toString('utf8'));
}

export function parseAuditableJson(text: string): AuditableCrate[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('.dep-v0 is not JSON');
  }
  const packages = (doc as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) throw new Error('.dep-v0 has no "packages" list');
  const out: AuditableCrate[] = [];
  for (const p of packages as unknown[]) {
    const { name, version, source, kind } = (p ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') {
      throw new Error('.dep-v0 lists a package without name or version');
    }
    // early releases wrote kinds capitalised ("Build"); sources other than the known ones are objects
    const build = typeof kind === 'string' && kind.toLowerCase() === 'build';
    out.push({ name, version, source: typeof source === 'string' ? source : 'other', kind: build ? 'build' : 'runtime' });
  }
  return out;
}
