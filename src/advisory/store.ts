/**
 * The advisory database: one SQLite file built by `db update` (AdvisoryDbWriter) and read by
 * scans (AdvisoryDb). The file is only ever written under a temporary name and renamed into
 * place when complete, so a reader never sees a half-built database.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Ecosystem, Severity } from '../types.js';
import { CavasError, describeError } from '../util/errors.js';
import type { Advisory, AdvisorySink, AffectedPackage, AffectedRange, AffectedStatus, KevEntry, MalwareHash } from './model.js';

/** Bump when the tables change; a reader refuses any other version (the user re-runs `db update`). */
export const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisories (
  pk INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  aliases TEXT NOT NULL,
  summary TEXT,
  severity TEXT,
  cvss_vector TEXT,
  cvss_score REAL,
  published TEXT,
  modified TEXT,
  withdrawn TEXT
);
CREATE TABLE affected (
  advisory INTEGER NOT NULL REFERENCES advisories(pk),
  ecosystem TEXT NOT NULL,
  distro TEXT NOT NULL,
  package_key TEXT NOT NULL,
  package TEXT NOT NULL,
  status TEXT NOT NULL,
  fixed_version TEXT,
  ranges TEXT,
  versions TEXT,
  vendor_severity TEXT
);
CREATE TABLE kev (
  cve TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date TEXT,
  ransomware TEXT,
  vendor_project TEXT,
  product TEXT
) WITHOUT ROWID;
CREATE TABLE malware_hashes (
  sha256 TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  feed TEXT NOT NULL,
  location TEXT NOT NULL,
  records INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  fetched_at TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Built after the bulk load: one sort instead of millions of incremental b-tree updates. */
const INDEXES = `
CREATE UNIQUE INDEX advisories_key ON advisories(source, id);
CREATE INDEX affected_lookup ON affected(ecosystem, distro, package_key);
CREATE INDEX affected_advisory ON affected(advisory);
`;

/**
 * The name under which a package is looked up. PyPI names compare after PEP 503
 * normalisation (Django == django, zope_interface == zope.interface), NuGet and Packagist
 * case-insensitively; everything else exactly. Applied to stored rows and queries alike.
 */
export function packageKey(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case 'pypi':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'nuget':
    case 'composer':
      return name.toLowerCase();
    default:
      return name;
  }
}

// ---------------------------------------------------------------------------------------
// Writer

export interface SourceRecord {
  /** Path relative to the mirror root: 'osv/Go/all.zip'. */
  name: string;
  feed: string;
  /** Where it was read from: a URL or a local path. */
  location: string;
  /** Records the parser produced from this file (advisories as emitted, or KEV entries). */
  records: number;
  bytes: number;
  sha256: string;
  fetchedAt: string;
}

export interface BuildCounts {
  advisories: number;
  affected: number;
  kev: number;
  malwareHashes: number;
}

interface SeenAdvisory {
  pk: number;
  aliases: string[];
  /** Bit i set: MERGED_FIELDS[i] is still NULL in the row, so a repeat may fill it. */
  missing: number;
}

/** Fields a repeat of an advisory may fill in; the order is the bit order of `missing`. */
const MERGED_FIELDS = ['summary', 'severity', 'cvssVector', 'cvssScore', 'published', 'modified', 'withdrawn'] as const;

function missingFields(a: Advisory): number {
  let bits = 0;
  MERGED_FIELDS.forEach((f, i) => {
    if (a[f] === undefined) bits |= 1 << i;
  });
  return bits;
}

/**
 * Builds a new database file. Everything happens in one transaction on a file nobody else
 * reads yet; durability settings are off because a failed build is simply deleted.
 */
export class AdvisoryDbWriter implements AdvisorySink {
  /** addAdvisory + addKev calls so far: the caller takes differences per feed file. */
  records = 0;
  private readonly db: Database.Database;
  private readonly seen = new Map<string, SeenAdvisory>();
  /** Advisories added more than once: only their affected rows can hold duplicates. */
  private readonly repeated = new Set<number>();
  private readonly insertAdvisory: Database.Statement;
  private readonly mergeAdvisory: Database.Statement;
  private readonly insertAffected: Database.Statement;
  private readonly insertKev: Database.Statement;
  private readonly insertMalware: Database.Statement;
  private readonly insertSource: Database.Statement;
  private open = true;

  private constructor(
    private readonly filePath: string,
    private readonly onWarning: (message: string) => void,
  ) {
    this.db = new Database(filePath);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA);
    this.db.exec('BEGIN');
    this.insertAdvisory = this.db.prepare(
      `INSERT INTO advisories (source, id, aliases, summary, severity, cvss_vector, cvss_score, published, modified, withdrawn)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A repeat fills what the first copy lacked; it never overrides a value already there.
    this.mergeAdvisory = this.db.prepare(
      `UPDATE advisories SET aliases = ?, summary = COALESCE(summary, ?), severity = COALESCE(severity, ?),
         cvss_vector = COALESCE(cvss_vector, ?), cvss_score = COALESCE(cvss_score, ?),
         published = COALESCE(published, ?), modified = COALESCE(modified, ?), withdrawn = COALESCE(withdrawn, ?)
       WHERE pk = ?`,
    );
    this.insertAffected = this.db.prepare(
      `INSERT INTO affected (advisory, ecosystem, distro, package_key, package, status, fixed_version, ranges, versions, vendor_severity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertKev = this.db.prepare(
      `INSERT OR IGNORE INTO kev (cve, date_added, due_date, ransomware, vendor_project, product) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertMalware = this.db.prepare('INSERT OR IGNORE INTO malware_hashes (sha256, name, source) VALUES (?, ?, ?)');
    this.insertSource = this.db.prepare(
      `INSERT OR REPLACE INTO sources (name, feed, location, records, bytes, sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Creates the schema in a new (or emptied) file at filePath. */
  static create(filePath: string, onWarning: (message: string) => void = () => {}): AdvisoryDbWriter {
    try {
      return new AdvisoryDbWriter(filePath, onWarning);
    } catch (e) {
      throw new CavasError('IO', `${filePath}: cannot create advisory database: ${describeError(e)}`, { cause: e });
    }
  }

  addAdvisory(a: Advisory): void {
    this.records++;
    const key = `${a.source}\u0000${a.id}`;
    const known = this.seen.get(key);
    let pk: number;
    if (known === undefined) {
      const aliases = [...new Set(a.aliases)];
      pk = Number(
        this.insertAdvisory.run(
          a.source,
          a.id,
          JSON.stringify(aliases),
          a.summary ?? null,
          a.severity ?? null,
          a.cvssVector ?? null,
          a.cvssScore ?? null,
          a.published ?? null,
          a.modified ?? null,
          a.withdrawn ?? null,
        ).lastInsertRowid,
      );
      this.seen.set(key, { pk, aliases, missing: missingFields(a) });
    } else {
      pk = known.pk;
      this.repeated.add(pk);
      let changed = false;
      for (const alias of a.aliases) {
        if (!known.aliases.includes(alias)) {
          known.aliases.push(alias);
          changed = true;
        }
      }
      // Most repeats (a CVE in several Debian source packages or Alpine branches) add
      // nothing to the advisory row itself: skip the UPDATE for them.
      const fills = known.missing & ~missingFields(a);
      if (fills !== 0) known.missing &= ~fills;
      if (changed || fills !== 0) this.mergeAdvisory.run(
        JSON.stringify(known.aliases),
        a.summary ?? null,
        a.severity ?? null,
        a.cvssVector ?? null,
        a.cvssScore ?? null,
        a.published ?? null,
        a.modified ?? null,
        a.withdrawn ?? null,
        pk,
      );
    }
    // Go records list one module once per vulnerable package path; cavas keeps no symbol
    // data, so those entries are identical here and are stored once.
    const rowsSeen = a.affected.length > 1 ? new Set<string>() : undefined;
    for (const f of a.affected) {
      const ranges = f.ranges !== undefined && f.ranges.length > 0 ? JSON.stringify(f.ranges) : null;
      const versions = f.versions !== undefined && f.versions.length > 0 ? JSON.stringify(f.versions) : null;
      if (rowsSeen !== undefined) {
        const rowKey = [f.ecosystem, f.distro, f.package, f.status, f.fixedVersion, f.vendorSeverity, ranges, versions].join('\u0000');
        if (rowsSeen.has(rowKey)) continue;
        rowsSeen.add(rowKey);
      }
      this.insertAffected.run(
        pk,
        f.ecosystem,
        f.distro,
        packageKey(f.ecosystem, f.package),
        f.package,
        f.status,
        f.fixedVersion ?? null,
        ranges,
        versions,
        f.vendorSeverity ?? null,
      );
    }
  }

  addKev(k: KevEntry): void {
    this.records++;
    this.insertKev.run(
      k.cve,
      k.dateAdded,
      k.dueDate ?? null,
      k.knownRansomwareCampaignUse ?? null,
      k.vendorProject ?? null,
      k.product ?? null,
    );
  }

  addMalwareHash(h: MalwareHash): void {
    this.records++;
    // the first list to name a hash wins; later ones add nothing a finding would show
    this.insertMalware.run(h.sha256, h.name, h.source);
  }

  warn(message: string): void {
    this.onWarning(message);
  }

  addSource(s: SourceRecord): void {
    this.insertSource.run(s.name, s.feed, s.location, s.records, s.bytes, s.sha256, s.fetchedAt);
  }

  /**
   * Indexes, drops affected rows repeated by a second copy of an advisory (the same OSV
   * record in two zips), writes meta, commits and flushes the file to disk.
   */
  finish(meta: { builtAt: string; origin: string }): BuildCounts {
    const db = this.db;
    db.exec(INDEXES);
    if (this.repeated.size > 0) {
      db.exec('CREATE TEMP TABLE repeated (pk INTEGER PRIMARY KEY)');
      const add = db.prepare('INSERT INTO repeated (pk) VALUES (?)');
      for (const pk of this.repeated) add.run(pk);
      // GROUP BY treats NULLs as equal, which is what identical rows need.
      db.exec(`DELETE FROM affected WHERE advisory IN (SELECT pk FROM repeated) AND rowid NOT IN (
        SELECT MIN(rowid) FROM affected WHERE advisory IN (SELECT pk FROM repeated)
        GROUP BY advisory, ecosystem, distro, package, status, fixed_version, ranges, versions, vendor_severity)`);
      db.exec('DROP TABLE repeated');
    }
    const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    setMeta.run('schema_version', String(SCHEMA_VERSION));
    setMeta.run('built_at', meta.builtAt);
    setMeta.run('origin', meta.origin);
    const counts = readCounts(db);
    db.exec('COMMIT');
    db.pragma('journal_mode = DELETE');
    db.close();
    this.open = false;
    const fd = openSync(this.filePath, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return counts;
  }

  /** Closes without committing; the caller deletes the file. */
  abort(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.db.close();
    } catch {
      // Closing a connection mid-transaction can only fail if it is already gone.
    }
  }
}

function readCounts(db: Database.Database): BuildCounts {
  const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { advisories: count('advisories'), affected: count('affected'), kev: count('kev'), malwareHashes: count('malware_hashes') };
}

// ---------------------------------------------------------------------------------------
// Reader

/** The advisory-level fields a finding needs. */
export type StoredAdvisory = Omit<Advisory, 'affected'>;

/** One affected row with the fields of its advisory. */
export type StoredAffected = StoredAdvisory & { affected: AffectedPackage };

/** A source as `db status` reports it: the row written at build time. */
export type DbSourceStatus = SourceRecord;

export interface DbStatus {
  path: string;
  schemaVersion: number;
  builtAt: string;
  /** The mirror the database was built from, or 'upstream'. */
  origin: string;
  sources: DbSourceStatus[];
  counts: BuildCounts;
}

/** Parameters per IN (...) list: well under SQLite's 32766 host-parameter limit. */
const IN_CHUNK = 500;

interface AffectedRow {
  pk: number;
  id: string;
  source: string;
  aliases: string;
  summary: string | null;
  severity: string | null;
  cvss_vector: string | null;
  cvss_score: number | null;
  published: string | null;
  modified: string | null;
  withdrawn: string | null;
  ecosystem: string;
  distro: string;
  package: string;
  status: string;
  fixed_version: string | null;
  ranges: string | null;
  versions: string | null;
  vendor_severity: string | null;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

/** Read-only view of a built database. */
export class AdvisoryDb {
  private readonly affectedStmts = new Map<number, Database.Statement>();
  private readonly kevStmts = new Map<number, Database.Statement>();

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    readonly schemaVersion: number,
  ) {}

  /** Opens and validates the database; DB_MISSING when absent, DB_CORRUPT when unusable. */
  static open(filePath: string): AdvisoryDb {
    if (!existsSync(filePath)) {
      throw new CavasError('DB_MISSING', `no advisory database at ${filePath}; run \`cavas db update\` first`);
    }
    checkFileHeader(filePath);
    let db: Database.Database;
    try {
      db = new Database(filePath, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw corrupt(filePath, `cannot be opened (${describeError(e)})`, e);
    }
    try {
      let rows: { key: string; value: string }[];
      try {
        rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
      } catch (e) {
        throw corrupt(filePath, `is not a cavas advisory database (${describeError(e)})`, e);
      }
      const meta = new Map(rows.map((r) => [r.key, r.value]));
      const version = Number(meta.get('schema_version'));
      if (!Number.isInteger(version)) throw corrupt(filePath, 'has no schema version (not a complete cavas advisory database)');
      if (version !== SCHEMA_VERSION) {
        throw corrupt(filePath, `has schema version ${version}, this cavas reads version ${SCHEMA_VERSION}; run \`cavas db update\``);
      }
      return new AdvisoryDb(filePath, db, version);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * Every affected row for these package names (lookup names: Debian source, Alpine origin,
   * ...) in one ecosystem and release; distro is '' for language ecosystems.
   */
  findAffected(ecosystem: Ecosystem | string, distro: string, packageNames: readonly string[]): StoredAffected[] {
    const keys = [...new Set(packageNames.map((n) => packageKey(ecosystem, n)))];
    const out: StoredAffected[] = [];
    // Rows of one advisory are parsed once; each row gets a shallow copy.
    const advisories = new Map<number, StoredAdvisory>();
    this.guard(() => {
      for (let i = 0; i < keys.length; i += IN_CHUNK) {
        const chunk = keys.slice(i, i + IN_CHUNK);
        const rows = this.affectedStatement(chunk.length).all(ecosystem, distro, ...chunk) as AffectedRow[];
        for (const row of rows) {
          let advisory = advisories.get(row.pk);
          if (advisory === undefined) {
            advisory = toAdvisory(row);
            advisories.set(row.pk, advisory);
          }
          out.push({ ...advisory, affected: toAffected(row) });
        }
      }
    });
    return out;
  }

  /** Known-malware entries for these SHA-256 hashes (lowercase hex), by hash. */
  malwareByHash(hashes: readonly string[]): Map<string, { name: string; source: string }> {
    const unique = [...new Set(hashes)];
    const found = new Map<string, { name: string; source: string }>();
    this.guard(() => {
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const chunk = unique.slice(i, i + IN_CHUNK);
        const stmt = this.db.prepare(`SELECT sha256, name, source FROM malware_hashes WHERE sha256 IN (${chunk.map(() => '?').join(',')})`);
        for (const row of stmt.all(...chunk) as Array<{ sha256: string; name: string; source: string }>) found.set(row.sha256, { name: row.name, source: row.source });
      }
    });
    return found;
  }

  /** The subset of these CVE ids that are in the KEV catalog. */
  kevSet(cves: readonly string[]): Set<string> {
    const unique = [...new Set(cves)];
    const found = new Set<string>();
    this.guard(() => {
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const chunk = unique.slice(i, i + IN_CHUNK);
        for (const row of this.kevStatement(chunk.length).all(...chunk) as { cve: string }[]) found.add(row.cve);
      }
    });
    return found;
  }

  status(): DbStatus {
    return this.guard(() => {
      const meta = new Map(
        (this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
      );
      const sources = (
        this.db
          .prepare('SELECT name, feed, location, records, bytes, sha256, fetched_at FROM sources ORDER BY feed, name')
          .all() as { name: string; feed: string; location: string; records: number; bytes: number; sha256: string; fetched_at: string }[]
      ).map((r) => ({
        name: r.name,
        feed: r.feed,
        location: r.location,
        records: r.records,
        bytes: r.bytes,
        sha256: r.sha256,
        fetchedAt: r.fetched_at,
      }));
      return {
        path: this.path,
        schemaVersion: this.schemaVersion,
        builtAt: meta.get('built_at') ?? '',
        origin: meta.get('origin') ?? '',
        sources,
        counts: readCounts(this.db),
      };
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private affectedStatement(n: number): Database.Statement {
    let stmt = this.affectedStmts.get(n);
    if (stmt === undefined) {
      stmt = this.db.prepare(
        `SELECT a.pk, a.id, a.source, a.aliases, a.summary, a.severity, a.cvss_vector, a.cvss_score, a.published,
                a.modified, a.withdrawn, f.ecosystem, f.distro, f.package, f.status, f.fixed_version, f.ranges,
                f.versions, f.vendor_severity
         FROM affected f JOIN advisories a ON a.pk = f.advisory
         WHERE f.ecosystem = ? AND f.distro = ? AND f.package_key IN (${placeholders(n)})
         ORDER BY f.package_key, a.source, a.id`,
      );
      this.affectedStmts.set(n, stmt);
    }
    return stmt;
  }

  private kevStatement(n: number): Database.Statement {
    let stmt = this.kevStmts.get(n);
    if (stmt === undefined) {
      stmt = this.db.prepare(`SELECT cve FROM kev WHERE cve IN (${placeholders(n)})`);
      this.kevStmts.set(n, stmt);
    }
    return stmt;
  }

  /** A page that fails to read mid-scan means a damaged file: say so in one line. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Database.SqliteError) throw corrupt(this.path, `cannot be read (${describeError(e)})`, e);
      throw e;
    }
  }
}

function placeholders(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

function corrupt(filePath: string, what: string, cause?: unknown): CavasError {
  return new CavasError(
    'DB_CORRUPT',
    `advisory database ${filePath} ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * SQLite opens garbage or a cut-off file without complaint and fails later, at some page;
 * the header says how long the file must be, so both are caught up front.
 */
function checkFileHeader(filePath: string): void {
  const header = Buffer.alloc(100);
  let size: number;
  try {
    size = statSync(filePath).size;
    const fd = openSync(filePath, 'r');
    try {
      readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new CavasError('IO', `cannot read advisory database ${filePath}: ${describeError(e)}`, { cause: e });
  }
  if (size < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw corrupt(filePath, 'is not an SQLite database; run `cavas db update`');
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pageCount = header.readUInt32BE(28);
  // The in-header size is only valid when the change counter matches version-valid-for.
  const headerSizeValid = header.readUInt32BE(24) === header.readUInt32BE(92) && pageCount > 0;
  if (headerSizeValid && size < pageSize * pageCount) {
    throw corrupt(filePath, `is truncated (${size} of ${pageSize * pageCount} bytes); run \`cavas db update\``);
  }
}

function toAdvisory(row: AffectedRow): StoredAdvisory {
  const advisory: StoredAdvisory = { id: row.id, source: row.source, aliases: JSON.parse(row.aliases) as string[] };
  if (row.summary !== null) advisory.summary = row.summary;
  if (row.severity !== null) advisory.severity = row.severity as Severity;
  if (row.cvss_vector !== null) advisory.cvssVector = row.cvss_vector;
  if (row.cvss_score !== null) advisory.cvssScore = row.cvss_score;
  if (row.published !== null) advisory.published = row.published;
  if (row.modified !== null) advisory.modified = row.modified;
  if (row.withdrawn !== null) advisory.withdrawn = row.withdrawn;
  return advisory;
}

function toAffected(row: AffectedRow): AffectedPackage {
  const affected: AffectedPackage = {
    ecosystem: row.ecosystem as Ecosystem,
    distro: row.distro,
    package: row.package,
    status: row.status as AffectedStatus,
  };
  if (row.fixed_version !== null) affected.fixedVersion = row.fixed_version;
  if (row.ranges !== null) affected.ranges = JSON.parse(row.ranges) as AffectedRange[];
  if (row.versions !== null) affected.versions = JSON.parse(row.versions) as string[];
  if (row.vendor_severity !== null) affected.vendorSeverity = row.vendor_severity as Severity;
  return affected;
}
