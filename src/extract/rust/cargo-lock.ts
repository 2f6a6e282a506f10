/**
 * The part of Cargo.lock (any version, 1 to 4) that names packages: `[[package]]`
 * tables with `name`, `version` and `source` strings. Everything else (dependency
 * arrays, checksums, [metadata]) is skipped, so this is a line reader, not TOML.
 */

export interface LockedCrate {
  name: string;
  version: string;
  /** registry+..., sparse+..., git+...; absent for workspace members and path dependencies. */
  source?: string;
}

export interface CargoLock {
  crates: LockedCrate[];
  /** `[[package]]` tables without a name or version. */
  incomplete: number;
}

/** A TOML basic or literal string value; undefined for anything else. */
function stringValue(raw: string): string | undefined {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      // TOML basic-string escapes are JSON's plus \UXXXXXXXX, which lock files do not use
      const s: unknown = JSON.parse(v);
      return typeof s === 'string' ? s : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function parseCargoLock(text: string): CargoLock {
  const out: CargoLock = { crates: [], incomplete: 0 };
  let current: Partial<LockedCrate> | undefined;
  const flush = (): void => {
    if (!current) return;
    if (current.name && current.version) out.crates.push(current as LockedCrate);
    else out.incomplete++;
    current = undefined;
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('[')) {
      // a multi-line array's items start with a quote, never with '['
      flush();
      if (line === '[[package]]') current = {};
      continue;
    }
    if (!current) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    if (key !== 'name' && key !== 'version' && key !== 'source') continue;
    const value = stringValue(line.slice(eq + 1));
    if (value !== undefined) current[key] = value;
  }
  flush();
  return out;
}
