/**
 * Parser for the dpkg database: `var/lib/dpkg/status` and the distroless
 * one-stanza-per-file `var/lib/dpkg/status.d/<pkg>`.
 *
 * Hand-written because the format is small and we need what the npm deb822
 * packages do not give: strict rejection of malformed input with a line number,
 * and no I/O.
 */
import { CavasError } from '../../util/errors.js';

export interface DpkgRecord {
  name: string;
  version: string;
  arch?: string;
  sourceName: string;
  sourceVersion: string;
  /** The raw `Status:` value; absent for status.d stanzas. */
  status?: string;
  license?: string;
  maintainer?: string;
}

/** A real status file has a few thousand stanzas; far more means hostile or corrupt input. */
export const MAX_DPKG_STANZAS = 200_000;

const WANTS = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const EFLAGS = new Set(['ok', 'reinstreq', 'hold', 'hold-reinstreq']);
/**
 * Every state after config-files means the package's files may be on disk:
 * dpkg itself treats them so (status > config-files). We keep all of those, not
 * only `installed`, because an unpacked or half-configured package still ships
 * its (possibly vulnerable) binaries. The want word (deinstall, purge) is
 * ignored for the same reason: it is intent, not what is on disk.
 */
const STATES_WITH_FILES = new Set([
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);
const STATES_WITHOUT_FILES = new Set(['not-installed', 'config-files']);

// Control characters other than tab/LF/CR never occur in a text database; they mean binary garbage.
// eslint-disable-next-line no-control-regex
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// deb822 field names: printable US-ASCII except colon, not starting with '#' or '-'.
const FIELD_LINE = /^([\x21\x22\x24-\x2c\x2e-\x39\x3b-\x7e][\x21-\x39\x3b-\x7e]*):(.*)$/;
const SOURCE = /^(\S+)(?:\s+\(([^()\s]+)\))?$/;

interface Field {
  value: string;
  line: number;
}

interface Stanza {
  line: number;
  /** Keyed by lower-cased field name: deb822 field names are case-insensitive. */
  fields: Map<string, Field>;
}

function bad(path: string, line: number, what: string): CavasError {
  return new CavasError('BAD_PACKAGE_DB', `${path}: line ${line}: ${what}`);
}

/** Short, quoted, escape-safe excerpt of an offending line for error messages. */
function excerpt(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}

/** Line number (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function assertText(text: string, path: string): void {
  const m = BINARY.exec(text);
  if (m) throw bad(path, lineAt(text, m.index), `binary data (control byte 0x${m[0].charCodeAt(0).toString(16).padStart(2, '0')})`);
}

function* stanzas(text: string, path: string): Generator<Stanza> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: Stanza | undefined;
  let last: Field | undefined;
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    if (line.trim() === '') {
      if (current) {
        if (++count > MAX_DPKG_STANZAS) throw bad(path, lineNo, `more than ${MAX_DPKG_STANZAS} stanzas`);
        yield current;
      }
      current = undefined;
      last = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (!last) throw bad(path, lineNo, `continuation line with no field before it: ${excerpt(line)}`);
      last.value += `\n${line.trim()}`;
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (!m) throw bad(path, lineNo, `expected "Field: value", got ${excerpt(line)}`);
    const name = (m[1] ?? '').toLowerCase();
    current ??= { line: lineNo, fields: new Map() };
    if (current.fields.has(name)) throw bad(path, lineNo, `duplicate field ${m[1]}`);
    last = { value: (m[2] ?? '').trim(), line: lineNo };
    current.fields.set(name, last);
  }
  if (current) {
    if (++count > MAX_DPKG_STANZAS) throw bad(path, lines.length, `more than ${MAX_DPKG_STANZAS} stanzas`);
    yield current;
  }
}

/** Whether a Status value describes a package whose files are on disk. Throws on malformed values. */
function statusHasFiles(status: Field, path: string): boolean {
  const words = status.value.split(/\s+/);
  const [want = '', eflag = '', state = ''] = words;
  if (words.length !== 3 || !WANTS.has(want) || !EFLAGS.has(eflag)) {
    throw bad(path, status.line, `bad Status ${excerpt(status.value)}`);
  }
  if (STATES_WITH_FILES.has(state)) return true;
  if (STATES_WITHOUT_FILES.has(state)) return false;
  throw bad(path, status.line, `bad Status ${excerpt(status.value)}`);
}

function checkVersion(v: Field, what: string, path: string): void {
  if (v.value === '' || /\s/.test(v.value)) throw bad(path, v.line, `bad ${what} ${excerpt(v.value)}`);
}

/**
 * Packages whose files are on disk, in file order. A stanza without Status
 * (status.d) counts as installed: distroless writes only installed packages.
 */
export function parseDpkgStatus(text: string, path: string): DpkgRecord[] {
  assertText(text, path);
  const out: DpkgRecord[] = [];
  for (const st of stanzas(text, path)) {
    const f = (k: string): Field | undefined => st.fields.get(k);
    const pkg = f('package');
    if (!pkg) throw bad(path, st.line, 'stanza has no Package field');
    if (pkg.value === '' || /\s/.test(pkg.value)) throw bad(path, pkg.line, `bad Package ${excerpt(pkg.value)}`);
    const status = f('status');
    // not-installed stanzas (left by purge or set-selections) legitimately have no Version.
    if (status && !statusHasFiles(status, path)) continue;
    const version = f('version');
    if (!version) throw bad(path, st.line, `stanza for ${pkg.value} has no Version field`);
    checkVersion(version, 'Version', path);

    let sourceName = pkg.value;
    let sourceVersion = version.value;
    const source = f('source');
    if (source && source.value !== '') {
      const m = SOURCE.exec(source.value);
      if (!m) throw bad(path, source.line, `bad Source ${excerpt(source.value)}`);
      sourceName = m[1] ?? sourceName;
      if (m[2] !== undefined) sourceVersion = m[2];
    }

    const rec: DpkgRecord = { name: pkg.value, version: version.value, sourceName, sourceVersion };
    const arch = f('architecture')?.value;
    if (arch) rec.arch = arch;
    if (status) rec.status = status.value;
    const license = f('license')?.value;
    if (license) rec.license = license;
    const maintainer = f('maintainer')?.value;
    if (maintainer) rec.maintainer = maintainer;
    out.push(rec);
  }
  return out;
}

/** dpkg info-file suffixes that tools sometimes place next to the stanzas in status.d. */
const NON_STANZA_SUFFIXES = [
  '.md5sums',
  '.list',
  '.conffiles',
  '.shlibs',
  '.symbols',
  '.triggers',
  '.templates',
  '.config',
  '.preinst',
  '.postinst',
  '.prerm',
  '.postrm',
  '.dpkg-new',
  '.dpkg-old',
  '.dpkg-tmp',
];

/** Whether an image-root-relative path is a distroless status.d stanza file. */
export function isDpkgStatusDPath(path: string): boolean {
  const prefix = 'var/lib/dpkg/status.d/';
  if (!path.startsWith(prefix)) return false;
  const name = path.slice(prefix.length);
  if (name === '' || name.includes('/') || name.startsWith('.')) return false;
  return !NON_STANZA_SUFFIXES.some((s) => name.endsWith(s));
}
