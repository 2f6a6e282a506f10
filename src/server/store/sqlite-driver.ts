/**
 * SqlDriver over better-sqlite3: one connection, WAL so readers in other processes never
 * block the writer, and a busy timeout so several processes can share the file.
 *
 * better-sqlite3 is synchronous but a transaction's body is async: while it awaits, any
 * other statement on this connection would land inside the open transaction. So every
 * statement and transaction takes one async mutex; statements issued through the
 * transaction's own driver run without it.
 *
 * Other processes are waited for by SQLite's busy timeout, which blocks this thread: so a
 * process opens one driver per file (two in one process would wait on each other).
 */
import Database from 'better-sqlite3';
import { CavasError, describeError } from '../../util/errors.js';
import type { RunResult, SqlDriver, SqlValue } from './sql-driver.js';

/** FIFO lock; release hands it straight to the next waiter so nobody can jump the queue. */
class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  get isLocked(): boolean {
    return this.locked;
  }

  async acquire(): Promise<() => void> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.locked = false;
    };
  }
}

const STATEMENT_CACHE = 256;

type Bound = Array<string | number | null>;

function bind(params: readonly SqlValue[] | undefined): Bound {
  if (!params) return [];
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/** Runs statements on the connection; no locking (the callers decide). */
class Connection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Most recently used last, so the oldest is evicted first.
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  all<T>(sql: string, params?: readonly SqlValue[]): T[] {
    return this.prepare(sql).all(...bind(params)) as T[];
  }

  get<T>(sql: string, params?: readonly SqlValue[]): T | undefined {
    return this.prepare(sql).get(...bind(params)) as T | undefined;
  }

  run(sql: string, params?: readonly SqlValue[]): RunResult {
    const info = this.prepare(sql).run(...bind(params));
    return { changes: info.changes, lastId: Number(info.lastInsertRowid) };
  }

  exec(script: string): void {
    this.db.exec(script);
  }
}

/** The driver a transaction body receives: same connection, no mutex (the transaction holds it). */
class SqliteTx implements SqlDriver {
  readonly backend = 'sqlite' as const;
  done = false;

  constructor(private readonly conn: Connection) {}

  private check(): Connection {
    if (this.done) throw new Error('transaction already finished: use the store, not a kept transaction driver');
    return this.conn;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.check().all<T>(sql, params);
  }
  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.check().get<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.check().run(sql, params);
  }
  async exec(sqlScript: string): Promise<void> {
    this.check().exec(sqlScript);
  }
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.check();
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error('close the store, not a transaction');
  }
}

export class SqliteDriver implements SqlDriver {
  readonly backend = 'sqlite' as const;
  private readonly mutex = new Mutex();
  private readonly conn: Connection;
  private closed = false;

  private constructor(readonly path: string, db: Database.Database) {
    this.conn = new Connection(db);
  }

  /** Opens (creating when absent) the database file; ':memory:' works too. */
  static open(path: string): SqliteDriver {
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: 5000 });
    } catch (e) {
      throw new CavasError('IO', `cannot open server database ${path}: ${describeError(e)}`, { cause: e });
    }
    try {
      db.pragma('busy_timeout = 5000');
      // The first statement that reads the file: garbage fails here, not later at some page.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (e) {
      db.close();
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new CavasError('DB_CORRUPT', `server database ${path} is not a SQLite database (${describeError(e)})`, { cause: e });
      }
      throw new CavasError('IO', `cannot open server database ${path}: ${describeError(e)}`, { cause: e });
    }
    return new SqliteDriver(path, db);
  }

  /**
   * Runs one statement under the mutex. When nobody holds it (the common case) the
   * statement runs right away, synchronously, without a trip through the event loop.
   */
  private async locked<T>(op: (c: Connection) => T): Promise<T> {
    if (this.closed) throw new Error('store is closed');
    if (!this.mutex.isLocked) return op(this.conn);
    const release = await this.mutex.acquire();
    try {
      if (this.closed) throw new Error('store is closed');
      return op(this.conn);
    } finally {
      release();
    }
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.locked((c) => c.all<T>(sql, params));
  }
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.locked((c) => c.get<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.locked((c) => c.run(sql, params));
  }
  exec(sqlScript: string): Promise<void> {
    return this.locked((c) => c.exec(sqlScript));
  }

  /** BEGIN IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock later. */
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const release = await this.mutex.acquire();
    try {
      if (this.closed) throw new Error('store is closed');
      const db = this.conn.db;
      db.exec('BEGIN IMMEDIATE');
      const tx = new SqliteTx(this.conn);
      try {
        const result = await fn(tx);
        tx.done = true;
        db.exec('COMMIT');
        return result;
      } catch (e) {
        tx.done = true;
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const release = await this.mutex.acquire();
    try {
      this.closed = true;
      this.conn.db.close();
    } finally {
      release();
    }
  }
}
