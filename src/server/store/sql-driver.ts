/**
 * The little the store needs from a SQL database, so one SqlStore serves SQLite and
 * PostgreSQL. SQL is written once with `?` placeholders in the subset both dialects accept
 * (ON CONFLICT, RETURNING, CTEs, UPDATE ... FROM); the PostgreSQL driver renumbers the
 * placeholders.
 */

/** What a parameter may be. Booleans are stored as 1/0 and undefined as NULL on both backends. */
export type SqlValue = string | number | boolean | null | undefined;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** SQLite: the last inserted rowid. PostgreSQL: the `id` of the first row of a RETURNING id clause. */
  lastId?: number;
}

export interface SqlDriver {
  readonly backend: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Several statements, no parameters (schema scripts). */
  exec(sqlScript: string): Promise<void>;
  /**
   * Runs fn inside one transaction: committed when fn resolves, rolled back when it throws.
   * Use only the driver fn receives inside fn. A transaction started on that driver joins
   * the outer one (no savepoints: the store never needs a partial rollback).
   */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Rewrites `?` placeholders to PostgreSQL's $1..$n. A `?` inside a '...' string literal, a
 * "..." identifier or a -- comment is left alone; that is all the lexing the store's own
 * SQL needs (it never uses dollar quoting or the jsonb `?` operators).
 */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // A doubled quote inside a literal ('it''s') ends one run and starts the next: same result.
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `?, ?, ?` for n values. */
export function placeholders(n: number): string {
  return n <= 0 ? '' : '?' + ', ?'.repeat(n - 1);
}

/** Multi-row VALUES: `(?, ?), (?, ?)` for rows x cols. */
export function valueRows(rows: number, cols: number): string {
  const row = `(${placeholders(cols)})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/**
 * Splits work into chunks whose parameter count stays well under both engines' limits
 * (SQLite 32766, PostgreSQL 65535) while keeping statements few.
 */
export function chunk<T>(items: readonly T[], paramsPerItem: number, maxParams = 8000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / Math.max(1, paramsPerItem)));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
