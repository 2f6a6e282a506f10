/**
 * Which distribution an image is: os-release(5) first, then the distro's own
 * release files for images that lack it.
 */
import { debianCodenameForMajor } from '../advisory/debian-releases.js';
import type { OsInfo } from '../types.js';
import { CavasError } from '../util/errors.js';

// eslint-disable-next-line no-control-regex
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function bad(path: string, line: number, what: string): CavasError {
  return new CavasError('BAD_PACKAGE_DB', `${path}: line ${line}: ${what}`);
}

/**
 * os-release is a shell fragment: `KEY=value` with single/double quotes,
 * backslash escapes, line continuations, comments. Hand-written because the
 * env-file parsers on npm (dotenv...) follow different quoting rules, and
 * executing a shell on image content is out of the question. Later assignments
 * win, as in a shell. Anything a shell would not read as a plain assignment
 * (`KEY=a b`, a line without `=`, an unterminated quote) is rejected.
 */
export function parseOsRelease(text: string, path: string): Record<string, string> {
  const s = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const garbage = BINARY.exec(s);
  if (garbage) throw bad(path, lineOf(s, garbage.index), 'binary data');
  const vars = new Map<string, string>();
  let i = 0;
  let line = 1;
  const n = s.length;
  const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r';

  while (i < n) {
    const c = s[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && s[i] !== '\n') i++;
      continue;
    }
    const key = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(s.slice(i, i + 256));
    if (!key) {
      const rest = s.slice(i, s.indexOf('\n', i) === -1 ? n : s.indexOf('\n', i));
      throw bad(path, line, `expected KEY=value, got ${JSON.stringify(rest.slice(0, 40))}`);
    }
    const name = key[0].slice(0, -1);
    i += key[0].length;
    const startLine = line;
    let value = '';
    for (;;) {
      const ch = s[i];
      if (ch === undefined || ch === '\n' || isBlank(ch)) break;
      if (ch === "'") {
        const end = s.indexOf("'", i + 1);
        if (end === -1) throw bad(path, startLine, `unterminated single quote in ${name}`);
        const part = s.slice(i + 1, end);
        line += part.split('\n').length - 1;
        value += part;
        i = end + 1;
      } else if (ch === '"') {
        i++;
        for (;;) {
          const q = s[i];
          if (q === undefined) throw bad(path, startLine, `unterminated double quote in ${name}`);
          if (q === '"') {
            i++;
            break;
          }
          if (q === '\\') {
            const next = s[i + 1];
            if (next === '\n') {
              line++;
              i += 2;
              continue;
            }
            // Inside double quotes a backslash escapes only these; elsewhere it is literal.
            if (next === '$' || next === '"' || next === '\\' || next === '`') {
              value += next;
              i += 2;
              continue;
            }
          }
          if (q === '\n') line++;
          value += q;
          i++;
        }
      } else if (ch === '\\') {
        const next = s[i + 1];
        if (next === '\n') line++;
        else if (next !== undefined) value += next;
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    while (isBlank(s[i])) i++;
    if (i < n && s[i] !== '\n' && s[i] !== '#') {
      throw bad(path, line, `unexpected text after the value of ${name}`);
    }
    vars.set(name, value);
  }
  // fromEntries defines own properties, so a key like __proto__ cannot touch the prototype.
  return Object.fromEntries(vars);
}

function lineOf(s: string, offset: number): number {
  return s.slice(0, offset).split('\n').length;
}

/** '12.15' -> '12'; releases before etch (4.0) were named by major.minor. */
function debianMajor(version: string): string {
  const parts = version.split('.');
  const first = parts[0] ?? '';
  return Number(first) >= 4 ? first : parts.slice(0, 2).join('.');
}

function fromOsRelease(vars: Record<string, string>): OsInfo | undefined {
  const id = vars.ID?.trim().toLowerCase();
  if (!id) return undefined;
  const info: OsInfo = { id, version: vars.VERSION_ID?.trim() ?? '' };
  let codename = vars.VERSION_CODENAME?.trim() || (id === 'ubuntu' ? vars.UBUNTU_CODENAME?.trim() : undefined);
  if (!codename && id === 'debian') {
    // Older Debian os-release (before stretch) has only VERSION="8 (jessie)".
    codename =
      /\(([a-z]+)\)/.exec(vars.VERSION ?? '')?.[1] ?? (info.version ? debianCodenameForMajor(info.version) : undefined);
  }
  if (codename) info.codename = codename.toLowerCase();
  const pretty = vars.PRETTY_NAME?.trim();
  if (pretty) info.prettyName = pretty;
  const like = (vars.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (like.length > 0) info.idLike = like;
  return info;
}

/** os-release IDs of the distributions whose release files say "<name> release <version>". */
const RELEASE_NAMES: ReadonlyArray<[prefix: string, id: string]> = [
  ['Red Hat Enterprise Linux', 'rhel'],
  ['CentOS', 'centos'],
  ['AlmaLinux', 'almalinux'],
  ['Rocky Linux', 'rocky'],
  ['Oracle Linux', 'ol'],
  ['Fedora', 'fedora'],
  ['Amazon Linux', 'amzn'],
];

/**
 * etc/system-release and etc/redhat-release: one line such as
 * "AlmaLinux release 9.3 (Shamrock Pampas Cat)". Versions are made to read as
 * os-release's VERSION_ID would: CentOS and Amazon Linux 2022+ give only the major
 * there. A distribution not listed gives undefined; a file that is no release
 * line is an error.
 */
function fromRedhatRelease(text: string, path: string): OsInfo | undefined {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  if (BINARY.test(line)) throw bad(path, 1, 'binary data');
  const m = / release (\d+(?:\.\d+)*)(?:\s|$)/.exec(line.slice(0, 256));
  if (!m?.[1]) throw bad(path, 1, `not a release line: ${JSON.stringify(line.slice(0, 40))}`);
  const name = line.slice(0, m.index);
  const id = RELEASE_NAMES.find(([prefix]) => name.startsWith(prefix))?.[1];
  if (!id) return undefined;
  let version = m[1];
  const major = version.split('.')[0]!;
  if (id === 'centos' || (id === 'amzn' && !name.startsWith('Amazon Linux AMI') && Number(major) >= 2022)) version = major;
  return { id, version, prettyName: line };
}

function fromAlpineRelease(text: string, path: string): OsInfo {
  const version = text.trim();
  if (!/^\d+(\.\d+)*(_[A-Za-z0-9]+)?$/.test(version)) {
    throw bad(path, 1, `not an Alpine version: ${JSON.stringify(version.slice(0, 40))}`);
  }
  return { id: 'alpine', version };
}

function fromDebianVersion(text: string, path: string): OsInfo {
  const v = text.trim();
  if (/^\d+(\.\d+)*$/.test(v)) {
    const major = debianMajor(v);
    const codename = debianCodenameForMajor(major);
    return codename ? { id: 'debian', version: major, codename } : { id: 'debian', version: major };
  }
  // Testing and unstable carry `<next codename>/sid` (or just `sid`) and no number yet.
  const m = /^([a-z]+)(?:\/sid)?$/.exec(v);
  if (m?.[1]) return { id: 'debian', version: '', codename: m[1] };
  throw bad(path, 1, `not a Debian version: ${JSON.stringify(v.slice(0, 40))}`);
}

/**
 * The image's OS from the contents of its release files (undefined when none
 * says anything). Throws CavasError when a given file is malformed.
 */
export function detectOs(files: {
  osRelease?: string;
  alpineRelease?: string;
  debianVersion?: string;
  /** etc/system-release: preferred to redhat-release, which Oracle Linux fills with RHEL's text. */
  systemRelease?: string;
  redhatRelease?: string;
  /** Where osRelease was read (etc/os-release or usr/lib/os-release), for error messages. */
  osReleasePath?: string;
}): OsInfo | undefined {
  if (files.osRelease !== undefined) {
    const info = fromOsRelease(parseOsRelease(files.osRelease, files.osReleasePath ?? 'etc/os-release'));
    if (info) return info;
  }
  if (files.alpineRelease !== undefined) return fromAlpineRelease(files.alpineRelease, 'etc/alpine-release');
  if (files.debianVersion !== undefined) return fromDebianVersion(files.debianVersion, 'etc/debian_version');
  const fromSystem = files.systemRelease !== undefined ? fromRedhatRelease(files.systemRelease, 'etc/system-release') : undefined;
  if (fromSystem) return fromSystem;
  if (files.redhatRelease !== undefined) return fromRedhatRelease(files.redhatRelease, 'etc/redhat-release');
  return undefined;
}
