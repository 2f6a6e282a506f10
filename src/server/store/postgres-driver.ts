/**
 * SqlDriver over node-postgres: a pool for plain statements, one pooled client per
 * transaction. BIGINT (ids, COUNT(*)) is parsed to a number: ids stay far below 2^53.
 */
import pg from 'pg';
import type { RunResult, SqlDriver, SqlValue } from './sql-driver.js';
import { toPgPlaceholders } from './sql-driver.js';

const INT8_OID = 20;

/** Per-pool type parsers, so other pg users in the process keep theirs. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return (pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => unknown)(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

const CONVERTED_CACHE = 512;
const converted = new Map<string, string>();

function convert(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    out = toPgPlaceholders(sql);
    if (converted.size >= CONVERTED_CACHE) converted.clear();
    converted.set(sql, out);
  }
  return out;
}

function bind(params: readonly SqlValue[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function query<T>(on: Queryable, sql: string, params?: readonly SqlValue[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
  return (on as pg.Pool).query<T & pg.QueryResultRow>(convert(sql), bind(params));
}

function runResult(r: pg.QueryResult<pg.QueryResultRow>): RunResult {
  const first = r.rows[0] as { id?: unknown } | undefined;
  const lastId = typeof first?.id === 'number' ? first.id : undefined;
  return lastId === undefined ? { changes: r.rowCount ?? 0 } : { changes: r.rowCount ?? 0, lastId };
}

class PgTx implements SqlDriver {
  readonly backend = 'postgres' as const;
  done = false;

  constructor(private readonly client: pg.PoolClient) {}

  private check(): pg.PoolClient {
    if (this.done) throw new Error('transaction already finished: use the store, not a kept transaction driver');
    return this.client;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await query<T>(this.check(), sql, params)).rows;
  }
  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await query<T>(this.check(), sql, params)).rows[0];
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return runResult(await query(this.check(), sql, params));
  }
  async exec(sqlScript: string): Promise<void> {
    await this.check().query(sqlScript);
  }
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.check();
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error('close the store, not a transaction');
  }
}

export class PostgresDriver implements SqlDriver {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString, types, max: options.max ?? 10 });
    // An idle client losing its connection (server restart) emits here; without a listener
    // that would crash the process. The pool drops the client and the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await query<T>(this.pool, sql, params)).rows;
  }
  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await query<T>(this.pool, sql, params)).rows[0];
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return runResult(await query(this.pool, sql, params));
  }
  async exec(sqlScript: string): Promise<void> {
    await this.pool.query(sqlScript);
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx = new PgTx(client);
      try {
        const result = await fn(tx);
        tx.done = true;
        await client.query('COMMIT');
        return result;
      } catch (e) {
        tx.done = true;
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable: destroy it rather than hand it to the next caller.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw e;
      }
    } finally {
      client.release(broken);
    }
  }

  /**
   * fn while this process holds a PostgreSQL session lock named `name` (on a connection of
   * its own, so fn's queries may use the pool); undefined at once when another process holds it.
   */
  async withSessionLock<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    const client = await this.pool.connect();
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name]);
      if (!got.rows[0]?.ok) return undefined;
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
