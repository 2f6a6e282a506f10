/**
 * Picks the backend from the database setting and brings the schema up to date:
 * nothing, `sqlite:PATH` or a plain path is SQLite (the file and its directory are
 * created), `postgres://` or `postgresql://` is PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CavasError, describeError, isCavasError } from '../../util/errors.js';
import { PostgresDriver } from './postgres-driver.js';
import { SqlStore } from './sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { Store } from './store.js';

export type StoreTarget = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

export function parseStoreUrl(url: string | undefined, defaultSqlitePath: string): StoreTarget {
  const value = url?.trim();
  if (!value) return { backend: 'sqlite', path: defaultSqlitePath };
  if (/^postgres(ql)?:\/\//i.test(value)) return { backend: 'postgres', url: value };
  if (/^sqlite:/i.test(value)) {
    // sqlite:rel.db, sqlite:/abs.db and sqlite:///abs.db all name a file.
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new CavasError('USAGE', `database URL ${value} names no file; use sqlite:PATH`);
    return { backend: 'sqlite', path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme) throw new CavasError('USAGE', `unsupported database URL scheme ${scheme[1]}:// (use a file path, sqlite:PATH or postgres://...)`);
  return { backend: 'sqlite', path: value };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}

export async function openStore(url: string | undefined, defaultSqlitePath: string): Promise<Store> {
  const target = parseStoreUrl(url, defaultSqlitePath);
  if (target.backend === 'postgres') {
    const store = new SqlStore(new PostgresDriver(target.url));
    try {
      await store.migrate();
    } catch (e) {
      await store.close().catch(() => undefined);
      if (isCavasError(e)) throw e;
      throw new CavasError('IO', `cannot use PostgreSQL database ${redactUrl(target.url)}: ${pgErrorText(e)}`, { cause: e });
    }
    return store;
  }
  if (target.path !== ':memory:') {
    try {
      mkdirSync(dirname(resolve(target.path)), { recursive: true });
    } catch (e) {
      throw new CavasError('IO', `cannot create the directory of server database ${target.path}: ${describeError(e)}`, { cause: e });
    }
  }
  const store = new SqlStore(SqliteDriver.open(target.path));
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    if (isCavasError(e)) throw e;
    throw new CavasError('IO', `cannot use server database ${target.path}: ${describeError(e)}`, { cause: e });
  }
  return store;
}

/** Connection failures to several addresses arrive as an AggregateError with an empty message. */
function pgErrorText(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return pgErrorText(e.errors[0]);
  const code = (e as { code?: unknown }).code;
  const text = describeError(e);
  if (text) return text;
  return typeof code === 'string' ? code : 'unknown error';
}
