/**
 * Versioned schema migrations, shared by both backends. Each migration is one SQL text in
 * the common dialect; `{{ID}}` stands for an auto-increment primary key, the one column
 * type the two spell differently. Applied migrations are recorded in schema_migrations;
 * released migrations are never edited, only followed by new ones.
 *
 * Times are ISO-8601 TEXT on both backends, so values round-trip exactly and compare in
 * order as strings. Booleans are INTEGER 0/1.
 */
import { CavasError } from '../../util/errors.js';
import type { SqlDriver } from './sql-driver.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE images (
  id {{ID}},
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  media_type TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  UNIQUE (registry, repository, digest)
);
CREATE INDEX images_digest ON images (digest);
CREATE INDEX images_last_seen ON images (last_seen);

-- One row per tag: pushing the tag to another digest moves the row.
CREATE TABLE tags (
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  tag TEXT NOT NULL,
  digest TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (registry, repository, tag)
);
CREATE INDEX tags_digest ON tags (digest);

-- Keyed by manifest digest: every repository holding the digest shares one inventory.
CREATE TABLE inventories (
  digest TEXT PRIMARY KEY,
  image_json TEXT NOT NULL,
  inventory_json TEXT NOT NULL,
  scanned_at TEXT NOT NULL
);

CREATE TABLE layers (
  digest TEXT PRIMARY KEY,
  diff_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  created_by TEXT
);

CREATE TABLE inventory_layers (
  inventory_digest TEXT NOT NULL REFERENCES inventories (digest) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  layer_digest TEXT NOT NULL REFERENCES layers (digest),
  PRIMARY KEY (inventory_digest, idx)
);
CREATE INDEX inventory_layers_layer ON inventory_layers (layer_digest);

-- A finding that goes away keeps its row (fixed_at set); if it comes back it gets a new
-- row, so at most one open row per (digest, key). finding_hash is a digest of finding_json:
-- a re-match compares it instead of loading every finding's JSON.
CREATE TABLE findings (
  id {{ID}},
  digest TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  purl TEXT,
  package_name TEXT,
  installed_version TEXT,
  fixed_version TEXT,
  kev INTEGER NOT NULL DEFAULT 0,
  path TEXT,
  first_seen TEXT NOT NULL,
  fixed_at TEXT,
  finding_json TEXT NOT NULL,
  finding_hash TEXT NOT NULL
);
CREATE UNIQUE INDEX findings_open_key ON findings (digest, key) WHERE fixed_at IS NULL;
CREATE INDEX findings_finding_id ON findings (finding_id);
CREATE INDEX findings_digest_fixed ON findings (digest, fixed_at);

-- Other names of a vulnerability (GHSA, DSA, DEBIAN-CVE...) -> the id findings carry.
CREATE TABLE finding_aliases (
  alias TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  PRIMARY KEY (alias, finding_id)
);

CREATE TABLE events (
  id {{ID}},
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  registry TEXT,
  repository TEXT,
  digest TEXT,
  finding_id TEXT,
  severity TEXT,
  data_json TEXT NOT NULL
);
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_digest ON events (digest, id);
CREATE INDEX events_repository ON events (repository, id);

CREATE TABLE scans (
  id {{ID}},
  reference TEXT NOT NULL,
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  tag TEXT,
  digest TEXT,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  finished_at TEXT,
  error TEXT,
  reused INTEGER
);
CREATE INDEX scans_status ON scans (status, id);

CREATE TABLE subscriptions (
  id {{ID}},
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  repository_pattern TEXT,
  min_severity TEXT,
  only_fixable INTEGER NOT NULL DEFAULT 0,
  only_kev INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

CREATE TABLE deliveries (
  id {{ID}},
  subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  event_ids_json TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  response_status INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);

-- Only the SHA-256 of a token is stored.
CREATE TABLE tokens (
  id {{ID}},
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
];

/** AUTOINCREMENT on SQLite so ids are never reused: event pollers page by id. */
const DIALECT: Record<SqlDriver['backend'], Record<string, string>> = {
  sqlite: { '{{ID}}': 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { '{{ID}}': 'BIGSERIAL PRIMARY KEY' },
};

export function migrationSql(m: Migration, backend: SqlDriver['backend']): string {
  return m.sql.replace(/\{\{[A-Z_]+\}\}/g, (token) => {
    const replacement = DIALECT[backend][token];
    if (replacement === undefined) throw new Error(`migration ${m.version}: unknown placeholder ${token}`);
    return replacement;
  });
}

/** Any constant: the key PostgreSQL sessions queue on while one of them migrates. */
const MIGRATION_LOCK = 0x63617661;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * Applies pending migrations in version order, each in its own transaction. Concurrent
 * callers (several processes starting at once) queue on a lock: PostgreSQL's advisory
 * transaction lock, SQLite's write lock (BEGIN IMMEDIATE); each re-reads what is applied
 * once it holds the lock, so every migration runs exactly once.
 */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const latest = latestVersion(ordered);
  const applied: number[] = [];
  for (;;) {
    const next = await driver.transaction(async (tx) => {
      if (tx.backend === 'postgres') await tx.exec(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.exec(CREATE_TABLE);
      const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations');
      const have = new Set(rows.map((r) => Number(r.version)));
      const newest = Math.max(0, ...have);
      if (newest > latest) {
        throw new CavasError('DB_CORRUPT', `database schema v${newest} is newer than this cavas (v${latest}); upgrade cavas`);
      }
      const pending = ordered.find((m) => !have.has(m.version));
      if (!pending) return undefined;
      await tx.exec(migrationSql(pending, tx.backend));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [pending.version, pending.name, new Date().toISOString()]);
      return pending.version;
    });
    if (next === undefined) return applied;
    applied.push(next);
  }
}
