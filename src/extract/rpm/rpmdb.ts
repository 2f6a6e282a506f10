/** What cavas keeps of an rpmdb: one record per installed package, whatever the backend. */
import { CavasError } from '../../util/errors.js';
import { readBdbHash } from './bdb.js';
import { headerInt, headerString, parseRpmHeader, RPMTAG, type RawHeader, type RpmHeader } from './header.js';
import { readNdb } from './ndb.js';
import { readSqliteRpmdb } from './sqlite.js';

export interface RpmRecord {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch?: string;
  /** SOURCERPM: openssl-3.0.7-6.el9_2.src.rpm */
  sourceRpm?: string;
  license?: string;
  modularityLabel?: string;
}

export type RpmdbFormat = 'sqlite' | 'bdb' | 'ndb';

/** The backend a db file name belongs to (rpm names them so; the content is checked by each reader). */
export function rpmdbFormat(path: string): RpmdbFormat | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'rpmdb.sqlite') return 'sqlite';
  if (base === 'Packages') return 'bdb';
  if (base === 'Packages.db') return 'ndb';
  return undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function field(h: RpmHeader, tag: number, label: string, where: string, required: true): string;
function field(h: RpmHeader, tag: number, label: string, where: string, required: false): string | undefined;
function field(h: RpmHeader, tag: number, label: string, where: string, required: boolean): string | undefined {
  const v = headerString(h, tag);
  if (v === undefined || v === '') {
    if (required) throw new CavasError('BAD_PACKAGE_DB', `${where}: no ${label}`);
    return undefined;
  }
  if (CONTROL.test(v)) throw new CavasError('BAD_PACKAGE_DB', `${where}: ${label} contains control characters: ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

/** The package a header describes, or undefined for the gpg-pubkey entries rpm keeps its keys in. */
export function recordFromHeader(h: RpmHeader, where: string): RpmRecord | undefined {
  const name = field(h, RPMTAG.NAME, 'NAME', where, true);
  if (name === 'gpg-pubkey') return undefined;
  const rec: RpmRecord = {
    name,
    version: field(h, RPMTAG.VERSION, 'VERSION', where, true),
    release: field(h, RPMTAG.RELEASE, 'RELEASE', where, true),
  };
  const epoch = headerInt(h, RPMTAG.EPOCH);
  if (epoch !== undefined) rec.epoch = epoch;
  const arch = field(h, RPMTAG.ARCH, 'ARCH', where, false);
  if (arch) rec.arch = arch;
  const sourceRpm = field(h, RPMTAG.SOURCERPM, 'SOURCERPM', where, false);
  if (sourceRpm) rec.sourceRpm = sourceRpm;
  const license = field(h, RPMTAG.LICENSE, 'LICENSE', where, false);
  if (license) rec.license = license;
  const label = field(h, RPMTAG.MODULARITYLABEL, 'MODULARITYLABEL', where, false);
  if (label) rec.modularityLabel = label;
  return rec;
}

function rawHeaders(content: Buffer, path: string, format: RpmdbFormat): RawHeader[] {
  if (format === 'sqlite') return readSqliteRpmdb(content, path);
  if (format === 'ndb') return readNdb(content, path);
  // key 0 of a Berkeley DB Packages file holds rpm's next header number, not a header
  return readBdbHash(content, path).filter((r) => r.key !== 0);
}

/** Every installed package of an rpmdb file. Throws BAD_PACKAGE_DB naming the file (and record) when it cannot be read. */
export function readRpmdb(content: Buffer, path: string): RpmRecord[] {
  const format = rpmdbFormat(path);
  if (!format) throw new CavasError('BAD_PACKAGE_DB', `${path}: not an rpmdb file name`);
  const records: RpmRecord[] = [];
  for (const raw of rawHeaders(content, path, format)) {
    const where = `${path}: header ${raw.key}`;
    const rec = recordFromHeader(parseRpmHeader(raw.blob, where), where);
    if (rec) records.push(rec);
  }
  return records;
}

/** epoch:version-release, the epoch left out when there is none (or it is 0), as rpm and advisories write it. */
export function evr(r: Pick<RpmRecord, 'epoch' | 'version' | 'release'>): string {
  return `${r.epoch ? `${r.epoch}:` : ''}${r.version}-${r.release}`;
}

/** openssl-3.0.7-6.el9_2.src.rpm -> name openssl, version-release 3.0.7-6.el9_2. */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string; release: string } | undefined {
  const suffix = ['.src.rpm', '.nosrc.rpm'].find((s) => sourceRpm.endsWith(s));
  if (!suffix) return undefined;
  const nvr = sourceRpm.slice(0, -suffix.length);
  const r = nvr.lastIndexOf('-');
  const v = r > 0 ? nvr.lastIndexOf('-', r - 1) : -1;
  if (v <= 0 || r === nvr.length - 1 || v === r - 1) return undefined;
  return { name: nvr.slice(0, v), version: nvr.slice(v + 1, r), release: nvr.slice(r + 1) };
}
