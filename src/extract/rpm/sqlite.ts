/**
 * rpm >= 4.16's sqlite backend (RHEL 9, Fedora 33+): header blobs in the
 * `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)` table. SQLite reads the
 * captured bytes in memory; nothing is written to disk.
 */
import Database from 'better-sqlite3';
import { CavasError, describeError } from '../../util/errors.js';
import type { RawHeader } from './header.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** More rows than any real distribution installs; a bound on what a hostile db makes us read. */
const MAX_ROWS = 1_000_000;

export function readSqliteRpmdb(content: Buffer, path: string): RawHeader[] {
  function fail(what: string): never {
    throw new CavasError('BAD_PACKAGE_DB', `${path}: ${what}`);
  }
  if (content.length < 100 || !content.subarray(0, 16).equals(MAGIC)) fail('not an SQLite database');
  // rpm leaves its db in WAL mode; an in-memory (deserialized) database cannot open a
  // WAL-mode file, so the copy is marked as a rollback-journal one (header bytes 18, 19).
  const copy = Buffer.from(content);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    // the file is image content: nothing in its schema may run functions with side effects
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").pluck().get();
    if (kind !== 'table') fail(kind === undefined ? 'no Packages table' : `Packages is a ${String(kind)}, not a table`);
    const out: RawHeader[] = [];
    for (const row of db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate() as Iterable<{ hnum: unknown; blob: unknown }>) {
      if (out.length >= MAX_ROWS) fail(`more than ${MAX_ROWS} packages`);
      if (!Buffer.isBuffer(row.blob)) fail(`package ${String(row.hnum)}: blob is not a BLOB`);
      out.push({ key: Number(row.hnum), blob: row.blob });
    }
    return out;
  } catch (e) {
    if (e instanceof CavasError) throw e;
    return fail(`SQLite cannot read it: ${describeError(e)}`);
  } finally {
    db?.close();
  }
}
