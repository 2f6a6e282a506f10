/**
 * Parser for apk-tools' installed database (`lib/apk/db/installed`): records of
 * `X:value` lines separated by blank lines.
 *
 * Hand-written: no maintained npm package reads this format, and it is a few
 * dozen lines.
 */
import { CavasError } from '../../util/errors.js';

export interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  /** Source package (aport) name; advisories are keyed by it. */
  origin?: string;
  license?: string;
  maintainer?: string;
  /** aports commit the package was built from. */
  commit?: string;
  /** Files owned by the package, relative to the image root (`F:` dir + `R:` name). */
  files: string[];
}

/** Alpine's whole main repository is ~6,000 packages; far more means hostile or corrupt input. */
export const MAX_APK_RECORDS = 200_000;

// eslint-disable-next-line no-control-regex
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const FIELD_LINE = /^([A-Za-z]):(.*)$/;

function bad(path: string, line: number, what: string): CavasError {
  return new CavasError('BAD_PACKAGE_DB', `${path}: line ${line}: ${what}`);
}

function excerpt(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}

interface Pending {
  line: number;
  rec: Partial<ApkRecord> & { files: string[] };
  nameLine?: number;
  versionLine?: number;
  dir?: string;
}

function finish(p: Pending, path: string): ApkRecord {
  const { name, version } = p.rec;
  if (name === undefined) throw bad(path, p.line, 'record has no P: (package name) line');
  if (version === undefined) throw bad(path, p.line, `record for ${name} has no V: (version) line`);
  if (name === '' || /\s/.test(name)) throw bad(path, p.nameLine ?? p.line, `bad package name ${excerpt(name)}`);
  if (version === '' || /\s/.test(version)) throw bad(path, p.versionLine ?? p.line, `bad version ${excerpt(version)}`);
  return { ...p.rec, name, version };
}

/** All records, in file order; every record in this database is installed. */
export function parseApkInstalled(text: string, path: string): ApkRecord[] {
  const lines = text.split(/\r?\n/);
  const out: ApkRecord[] = [];
  let cur: Pending | undefined;
  const flush = (lineNo: number): void => {
    if (!cur) return;
    if (out.length >= MAX_APK_RECORDS) throw bad(path, lineNo, `more than ${MAX_APK_RECORDS} records`);
    out.push(finish(cur, path));
    cur = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    const garbage = BINARY.exec(line);
    if (garbage) {
      const code = garbage[0].charCodeAt(0).toString(16).padStart(2, '0');
      throw bad(path, lineNo, `binary data (control byte 0x${code})`);
    }
    if (line.trim() === '') {
      flush(lineNo);
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (!m) throw bad(path, lineNo, `expected "X:value", got ${excerpt(line)}`);
    const key = m[1] ?? '';
    const value = m[2] ?? '';
    cur ??= { line: lineNo, rec: { files: [] } };
    const rec = cur.rec;
    switch (key) {
      case 'P':
        // A second P: in one record means a missing blank line: two packages would merge into one.
        if (rec.name !== undefined) throw bad(path, lineNo, `second P: line in the record for ${rec.name}`);
        rec.name = value;
        cur.nameLine = lineNo;
        break;
      case 'V':
        if (rec.version !== undefined) throw bad(path, lineNo, 'second V: line in one record');
        rec.version = value;
        cur.versionLine = lineNo;
        break;
      case 'A':
        if (value !== '') rec.arch = value;
        break;
      case 'o':
        if (value !== '') rec.origin = value;
        break;
      case 'L':
        if (value !== '') rec.license = value;
        break;
      case 'm':
        if (value !== '') rec.maintainer = value;
        break;
      case 'c':
        if (value !== '') rec.commit = value;
        break;
      case 'F':
        cur.dir = value;
        break;
      case 'R':
        // apk itself rejects a file entry before any directory entry.
        if (cur.dir === undefined) throw bad(path, lineNo, 'R: (file) line before any F: (directory) line');
        rec.files.push(cur.dir === '' ? value : `${cur.dir}/${value}`);
        break;
      default:
        // Checksums, sizes, dependencies, ACLs...: not needed by the scanner.
        break;
    }
  }
  flush(lines.length);
  return out;
}
