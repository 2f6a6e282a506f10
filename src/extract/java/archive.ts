/**
 * Maven coordinates of a Java archive and of the archives inside it (WEB-INF/lib,
 * BOOT-INF/lib, ear modules), from pom.properties, else the manifest, else the file name.
 * All work on one top-level archive is bounded: nesting depth, central directory records
 * read, and bytes inflated. Past a bound the archive is left with what was found so far.
 */
import { describeError } from '../../util/errors.js';
import { ZipArchive, type ZipEntry, ZipLimitError } from '../../util/zip.js';

export interface JarLimits {
  /** Archives inside archives: the top-level one is depth 0. */
  maxDepth: number;
  /** Bytes inflated (or taken stored) for one top-level archive, nested archives included. */
  maxTotalBytes: number;
  /** Central directory records read for one top-level archive. */
  maxEntries: number;
  /** Largest nested archive read. */
  maxNestedBytes: number;
  /** Largest pom.properties or MANIFEST.MF read (signed jars' manifests run to megabytes). */
  maxMetaBytes: number;
}

export const DEFAULT_JAR_LIMITS: Readonly<JarLimits> = {
  maxDepth: 8,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntries: 1_000_000,
  maxNestedBytes: 256 * 1024 * 1024,
  maxMetaBytes: 16 * 1024 * 1024,
};

export interface JavaArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  /** Path of the nested archive inside the top-level one, segments joined by '!'; '' for the top level. */
  inner: string;
  /** Where the coordinates came from. */
  via: 'pom.properties' | 'manifest' | 'file name';
}

export interface JavaArchiveScan {
  artifacts: JavaArtifact[];
  /** At most a handful of one-line problems, already summarised per top-level archive. */
  warnings: string[];
}

const ARCHIVE_EXTENSIONS = new Set(['jar', 'war', 'ear', 'par', 'jpi', 'hpi']);

/** name.jar / name.WAR ...: a cheap test, also used by the claim's `wants`. */
export function isJavaArchiveName(path: string): boolean {
  const dot = path.length - 4;
  return dot > 0 && path.charCodeAt(dot) === 46 && ARCHIVE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

const POM_PREFIX = 'META-INF/maven/';
const POM_SUFFIX = '/pom.properties';

function isPomProperties(name: string): boolean {
  if (!name.startsWith(POM_PREFIX) || !name.endsWith(POM_SUFFIX)) return false;
  // META-INF/maven/<group>/<artifact>/pom.properties and nothing deeper
  return name.slice(POM_PREFIX.length, -POM_SUFFIX.length).split('/').length === 2;
}

/** Java .properties, the subset pom.properties uses: key=value / key: value, # and ! comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.search(/[=:]/);
    if (eq < 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

/** The main section of a MANIFEST.MF (up to the first blank line), continuation lines joined; names lowercased. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (last !== undefined) out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

/** jackson-databind-2.14.0.jar -> jackson-databind / 2.14.0: the version starts at the first "-<digit>". */
export function splitArchiveFileName(fileName: string): { artifactId: string; version?: string } | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const stem = isJavaArchiveName(base) ? base.slice(0, -4) : base;
  const m = /-\d/.exec(stem);
  if (!m) return stem ? { artifactId: stem } : undefined;
  const artifactId = stem.slice(0, m.index);
  return artifactId ? { artifactId, version: stem.slice(m.index + 1) } : undefined;
}

const usable = (v: string | undefined): v is string => v !== undefined && v !== '' && !v.includes('${');

function fromPom(props: Map<string, string>): Omit<JavaArtifact, 'inner'> | undefined {
  const groupId = props.get('groupId');
  const artifactId = props.get('artifactId');
  const version = props.get('version');
  if (!usable(groupId) || !usable(artifactId) || !usable(version)) return undefined;
  return { groupId, artifactId, version, via: 'pom.properties' };
}

/**
 * Manifest attributes, helped by the file name: a versioned name gives the artifactId (titles
 * are often prose), Implementation-Vendor-Id or an OSGi symbolic name ending in that artifactId
 * gives the groupId. Bundle-Version is the last choice: OSGi pads it (1.33 -> 1.33.0).
 */
function fromManifest(mf: Map<string, string> | undefined, fileName: string): Omit<JavaArtifact, 'inner'> | undefined {
  const named = splitArchiveFileName(fileName);
  const symbolic = mf?.get('bundle-symbolicname')?.split(';')[0]?.trim();
  const title = mf?.get('implementation-title');
  // Maven names its output artifactId-version.jar; a name without a version was more likely renamed
  const tokenTitle = title && /^[\w.-]+$/.test(title) ? title : undefined;
  const artifactId = (named?.version ? named.artifactId : undefined) ?? tokenTitle ?? named?.artifactId;
  const version = [mf?.get('implementation-version'), named?.version, mf?.get('bundle-version')].find(usable);
  if (!usable(artifactId) || version === undefined) return undefined;
  let groupId = mf?.get('implementation-vendor-id');
  if (!usable(groupId)) {
    groupId = [symbolic, mf?.get('automatic-module-name')]
      .filter(usable)
      .map((s) => (s.endsWith(`.${artifactId}`) ? s.slice(0, -artifactId.length - 1) : undefined))
      .find(usable);
  }
  if (!usable(groupId)) return undefined;
  const via = mf?.has('implementation-version') || mf?.has('implementation-vendor-id') || mf?.has('bundle-symbolicname') ? 'manifest' : 'file name';
  return { groupId, artifactId, version, via };
}

interface ScanState {
  limits: JarLimits;
  bytes: number;
  entries: number;
  artifacts: JavaArtifact[];
  tooDeep: number;
  unreadable: Tally;
  unidentified: Tally;
}

/** How often something happened and the first case, for a one-line warning. */
class Tally {
  count = 0;
  first = '';
  add(what: string): void {
    if (this.count++ === 0) this.first = what;
  }
}

function take(state: ScanState, zip: ZipArchive, entry: ZipEntry, limit: number): Buffer {
  const left = state.limits.maxTotalBytes - state.bytes;
  if (entry.size > left) {
    throw new ZipLimitError(`more than ${state.limits.maxTotalBytes} bytes to inflate (zip bomb?), stopped at ${entry.name}`);
  }
  const data = zip.read(entry, limit);
  state.bytes += data.length;
  return data;
}

function scan(buf: Buffer, fileName: string, inner: string, depth: number, state: ScanState): void {
  const zip = ZipArchive.open(buf);
  const poms: ZipEntry[] = [];
  const nested: ZipEntry[] = [];
  let manifest: ZipEntry | undefined;
  for (const entry of zip.entries()) {
    if (++state.entries > state.limits.maxEntries) throw new ZipLimitError(`more than ${state.limits.maxEntries} zip entries`);
    if (entry.name.endsWith('/')) continue;
    if (isPomProperties(entry.name)) poms.push(entry);
    else if (entry.name.toUpperCase() === 'META-INF/MANIFEST.MF') manifest = entry;
    else if (isJavaArchiveName(entry.name)) nested.push(entry);
  }
  const readMeta = (e: ZipEntry): string | undefined => {
    try {
      return take(state, zip, e, state.limits.maxMetaBytes).toString('utf8');
    } catch (err) {
      if (err instanceof ZipLimitError) throw err;
      state.unreadable.add(`${inner ? `${inner}!` : ''}${e.name} (${describeError(err)})`);
      return undefined;
    }
  };
  const found = new Map<string, Omit<JavaArtifact, 'inner'>>();
  for (const e of poms) {
    const text = readMeta(e);
    const a = text === undefined ? undefined : fromPom(parseProperties(text));
    if (a) found.set(`${a.groupId}:${a.artifactId}:${a.version}`, a);
  }
  if (found.size === 0) {
    const text = manifest ? readMeta(manifest) : undefined;
    const mf = text === undefined ? undefined : parseManifest(text);
    const a = fromManifest(mf, fileName);
    if (a) found.set('', a);
    else state.unidentified.add(inner || fileName);
  }
  for (const a of found.values()) state.artifacts.push({ ...a, inner });

  for (const e of nested) {
    const where = inner ? `${inner}!${e.name}` : e.name;
    if (depth + 1 > state.limits.maxDepth) {
      state.tooDeep++;
      continue;
    }
    try {
      scan(take(state, zip, e, state.limits.maxNestedBytes), e.name, where, depth + 1, state);
    } catch (err) {
      if (err instanceof ZipLimitError) throw err;
      // one broken or oversized library does not hide the others
      state.unreadable.add(`${where} (${describeError(err)})`);
    }
  }
}

/**
 * Everything identifiable in one archive file. Throws only if the top-level archive
 * itself is not a readable zip; every other problem becomes one of a few warnings.
 */
export function scanJavaArchive(buf: Buffer, fileName: string, limits: JarLimits = DEFAULT_JAR_LIMITS): JavaArchiveScan {
  const state: ScanState = { limits, bytes: 0, entries: 0, artifacts: [], tooDeep: 0, unreadable: new Tally(), unidentified: new Tally() };
  const warnings: string[] = [];
  try {
    scan(buf, fileName, '', 0, state);
  } catch (err) {
    if (!(err instanceof ZipLimitError) && state.entries === 0) throw err;
    warnings.push(`stopped reading: ${describeError(err)}`);
  }
  if (state.tooDeep > 0) warnings.push(`${state.tooDeep} archive(s) nested deeper than ${limits.maxDepth} levels were not read`);
  if (state.unreadable.count > 0) {
    warnings.push(`${state.unreadable.count} nested archive(s) or entries could not be read, first: ${state.unreadable.first}`);
  }
  if (state.unidentified.count > 0) {
    warnings.push(`${state.unidentified.count} archive(s) without Maven coordinates, first: ${state.unidentified.first}`);
  }
  return { artifacts: state.artifacts, warnings };
}
