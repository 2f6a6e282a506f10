/**
 * `cavas db update`: fetch every feed file (from upstream, a mirror URL or a mirror
 * directory), parse it into a new database file and swap that file in only when all of it
 * loaded. A failure leaves the previous database untouched.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { advisoryDbPath } from '../util/cache-dir.js';
import { CavasError, describeError } from '../util/errors.js';
import { CAVAS_VERSION } from '../util/version.js';
import { feeds, type AdvisoryFeed } from './feeds/index.js';
import { mapOsvEcosystem } from './feeds/osv.js';
import { AdvisoryDbWriter, type BuildCounts, type SourceRecord } from './store.js';

type FeedName = AdvisoryFeed['name'];

/** One feed file, named by its path in the mirror layout (see the corpus README). */
interface FeedFile {
  feed: FeedName;
  relPath: string;
}

export interface UpdateLimits {
  /** Largest feed file accepted (the biggest real OSV zip is a few hundred MiB). */
  maxFileBytes: number;
  /** Give up on a download when no byte arrives for this long. */
  idleTimeoutMs: number;
}

export const DEFAULT_UPDATE_LIMITS: Readonly<UpdateLimits> = {
  maxFileBytes: 1024 * 1024 * 1024,
  idleTimeoutMs: 60_000,
};

export interface UpdateOptions {
  cacheDir: string;
  /** Mirror directory, file:// URL or http(s):// base URL; upstream feeds when absent. */
  mirror?: string;
  /** Progress lines (one per file). */
  log?: (message: string) => void;
  fetchImpl?: typeof fetch;
  limits?: Partial<UpdateLimits>;
}

export interface UpdateReport {
  dbPath: string;
  /** The mirror read ('upstream' for the feeds' own servers). */
  origin: string;
  sources: SourceRecord[];
  counts: BuildCounts;
  /** Missing files and the parsers' recoverable oddities, one line each. */
  warnings: string[];
  durationMs: number;
}

/** OSV ecosystems (bucket names) whose packages cavas scans. */
export const OSV_ECOSYSTEMS: readonly string[] = [
  'Debian',
  'Alpine',
  'AlmaLinux',
  'Rocky Linux',
  'Red Hat',
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'RubyGems',
  'crates.io',
  'Packagist',
  'NuGet',
];

/** secdb branches tried on URL mirrors; a branch a server lacks is one summarised warning. */
export const ALPINE_BRANCHES: readonly string[] = [
  ...Array.from({ length: 21 }, (_, i) => `v3.${i + 2}`),
  'edge',
];

const ALPINE_REPOS = ['main', 'community'] as const;
const DEBIAN_TRACKER = 'debian/tracker.json';
const KEV_FILE = 'kev/known_exploited_vulnerabilities.json';
/** The MalwareBazaar export a URL mirror (or upstream) is asked for; a directory mirror offers every list in malware/. */
const MALWARE_FILE = 'malware/malwarebazaar-recent.csv';
const MALWARE_LIST_RE = /\.(csv|txt|sha256|sha256sums)$/i;

const UPSTREAM = {
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
  alpine: 'https://secdb.alpinelinux.org',
  debian: 'https://security-tracker.debian.org/tracker/data/json',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  malware: 'https://bazaar.abuse.ch/export/csv/recent/',
};

/** Downloads run this far ahead of the parser, so at most this many files sit in the temp dir. */
const LOOKAHEAD = 4;

type Origin = { kind: 'dir'; root: string } | { kind: 'http'; base: string } | { kind: 'upstream' };

export function parseMirror(mirror: string | undefined): Origin {
  if (mirror === undefined) return { kind: 'upstream' };
  if (mirror.trim() === '') throw new CavasError('USAGE', '--mirror is empty; give a directory or an http(s):// or file:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(mirror)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'dir', root: path.resolve(mirror) };
  let url: URL;
  try {
    url = new URL(mirror);
  } catch (e) {
    throw new CavasError('USAGE', `--mirror ${mirror}: not a valid URL (${describeError(e)})`, { cause: e });
  }
  if (scheme === 'file') return { kind: 'dir', root: fileURLToPath(url) };
  if (scheme === 'http' || scheme === 'https') return { kind: 'http', base: url.href.replace(/\/+$/, '') };
  throw new CavasError('USAGE', `--mirror ${mirror}: unsupported URL scheme ${scheme}: (use http, https or file)`);
}

/** A URL with any user:password removed, for messages and for what the database records. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url;
  }
}

function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'dir':
      return origin.root;
    case 'http':
      return redact(origin.base);
    case 'upstream':
      return 'upstream';
  }
}

function fixedFileList(): FeedFile[] {
  return [
    ...OSV_ECOSYSTEMS.map((eco): FeedFile => ({ feed: 'osv', relPath: `osv/${eco}/all.zip` })),
    ...ALPINE_BRANCHES.flatMap((branch) =>
      ALPINE_REPOS.map((repo): FeedFile => ({ feed: 'alpine-secdb', relPath: `alpine-secdb/${branch}/${repo}.json` })),
    ),
    { feed: 'debian-tracker', relPath: DEBIAN_TRACKER },
    { feed: 'kev', relPath: KEV_FILE },
    { feed: 'malware-hashes', relPath: MALWARE_FILE },
  ];
}

/** Hash lists in a directory mirror's malware/ folder; the folder is optional. */
async function malwareLists(root: string): Promise<FeedFile[]> {
  try {
    const entries = await readdir(path.join(root, 'malware'), { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && MALWARE_LIST_RE.test(e.name))
      .map((e): FeedFile => ({ feed: 'malware-hashes', relPath: `malware/${e.name}` }))
      .sort((a, b) => a.relPath.localeCompare(b.relPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CavasError('IO', `cannot list mirror directory ${path.join(root, 'malware')}: ${describeError(e)}`, { cause: e });
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CavasError('IO', `cannot list mirror directory ${dir}: ${describeError(e)}`, { cause: e });
  }
}

/**
 * What a mirror directory holds. `osv/Debian:12` and friends are skipped: the base
 * ecosystem's zip already holds their records, loading both would count them twice.
 */
async function discoverDirFiles(root: string, log: (m: string) => void): Promise<{ files: FeedFile[]; missing: FeedFile[] }> {
  let st;
  try {
    st = statSync(root);
  } catch (e) {
    throw new CavasError('NOT_FOUND', `mirror directory ${root} does not exist (${describeError(e)})`, { cause: e });
  }
  if (!st.isDirectory()) throw new CavasError('USAGE', `mirror ${root} is not a directory`);

  const files: FeedFile[] = [];
  const unsupported: string[] = [];
  for (const eco of await subdirs(path.join(root, 'osv'))) {
    if (eco.includes(':') || !existsSync(path.join(root, 'osv', eco, 'all.zip'))) continue;
    if (mapOsvEcosystem(eco).kind === 'unsupported') {
      unsupported.push(eco);
      continue;
    }
    files.push({ feed: 'osv', relPath: `osv/${eco}/all.zip` });
  }
  if (unsupported.length > 0) log(`skipping osv/{${unsupported.join(',')}}: ecosystems cavas does not scan`);
  for (const branch of await subdirs(path.join(root, 'alpine-secdb'))) {
    for (const repo of ALPINE_REPOS) {
      const relPath = `alpine-secdb/${branch}/${repo}.json`;
      if (existsSync(path.join(root, relPath))) files.push({ feed: 'alpine-secdb', relPath });
    }
  }
  files.push(...(await malwareLists(root)));
  const missing: FeedFile[] = [];
  for (const f of [
    { feed: 'debian-tracker', relPath: DEBIAN_TRACKER },
    { feed: 'kev', relPath: KEV_FILE },
  ] as const) {
    (existsSync(path.join(root, f.relPath)) ? files : missing).push(f);
  }
  return { files, missing };
}

function fileUrl(origin: Exclude<Origin, { kind: 'dir' }>, relPath: string): string {
  if (origin.kind === 'http') return `${origin.base}/${relPath.split('/').map(encodeURIComponent).join('/')}`;
  const parts = relPath.split('/');
  if (parts[0] === 'osv') return `${UPSTREAM.osv}/${encodeURIComponent(parts[1] ?? '')}/all.zip`;
  if (parts[0] === 'alpine-secdb') return `${UPSTREAM.alpine}/${parts[1] ?? ''}/${parts[2] ?? ''}`;
  if (relPath === DEBIAN_TRACKER) return UPSTREAM.debian;
  if (relPath === KEV_FILE) return UPSTREAM.kev;
  if (relPath === MALWARE_FILE) return UPSTREAM.malware;
  throw new Error(`no upstream URL for ${relPath}`);
}

type Fetched = { status: 'ok'; file: string; location: string; bytes: number; sha256: string } | { status: 'missing'; location: string };

/** Hashes a local mirror file where it is (nothing is copied). */
async function readLocal(root: string, relPath: string): Promise<Fetched> {
  const file = path.join(root, relPath);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', location: file };
    throw new CavasError('IO', `cannot read ${file}: ${describeError(e)}`, { cause: e });
  }
  return { status: 'ok', file, location: file, bytes, sha256: hash.digest('hex') };
}

/** Streams one URL to dest, bounded in size and idle time; 404/410 count as missing. */
async function download(
  url: string,
  dest: string,
  fetchImpl: typeof fetch,
  limits: UpdateLimits,
  outer: AbortSignal,
): Promise<Fetched> {
  const shown = redact(url);
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limits.idleTimeoutMs);
  };
  const fail = (e: unknown): CavasError => {
    if (e instanceof CavasError) return e;
    if (timedOut) return new CavasError('FETCH_FAILED', `${shown}: no data for ${limits.idleTimeoutMs / 1000} s, gave up`);
    // fetch reports network errors as "fetch failed" with the real reason in `cause`.
    const cause = e instanceof Error && e.cause !== undefined ? `${describeError(e)}: ${describeError(e.cause)}` : describeError(e);
    return new CavasError('FETCH_FAILED', `${shown}: ${cause}`, { cause: e });
  };
  try {
    arm();
    let res: Response;
    try {
      res = await fetchImpl(url, {
        signal: controller.signal,
        redirect: 'follow',
        headers: { 'user-agent': `cavas/${CAVAS_VERSION}` },
      });
    } catch (e) {
      throw fail(e);
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => {});
      return { status: 'missing', location: shown };
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => {});
      throw new CavasError('FETCH_FAILED', `${shown}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limits.maxFileBytes) {
      await res.body.cancel().catch(() => {});
      throw new CavasError('LIMIT_EXCEEDED', `${shown}: ${declared} bytes, over the ${limits.maxFileBytes}-byte limit for a feed file`);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        arm();
        bytes += chunk.length;
        if (bytes > limits.maxFileBytes) {
          done(new CavasError('LIMIT_EXCEEDED', `${shown}: more than ${limits.maxFileBytes} bytes, over the limit for a feed file`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, createWriteStream(dest));
    } catch (e) {
      throw fail(e);
    }
    return { status: 'ok', file: dest, location: shown, bytes, sha256: hash.digest('hex') };
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}

/** One warning per missing file, but Alpine's many branches collapse into one line. */
function missingWarnings(missing: { file: FeedFile; location: string }[], originText: string): string[] {
  const warnings: string[] = [];
  const alpine = missing.filter((m) => m.file.feed === 'alpine-secdb');
  for (const m of missing) {
    if (m.file.feed === 'alpine-secdb' && alpine.length > 1) continue;
    // optional: most mirrors carry no malware lists, and saying so each update is noise
    if (m.file.feed === 'malware-hashes') continue;
    warnings.push(`${m.file.relPath}: not found at ${m.location}, skipped`);
  }
  if (alpine.length > 1) {
    const names = alpine.map((m) => m.file.relPath.slice('alpine-secdb/'.length));
    warnings.push(`alpine-secdb: ${alpine.length} files not found on ${originText}, skipped: ${names.join(', ')}`);
  }
  return warnings;
}

export async function updateDatabase(opts: UpdateOptions): Promise<UpdateReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const fetchImpl = opts.fetchImpl ?? fetch;
  const limits: UpdateLimits = { ...DEFAULT_UPDATE_LIMITS, ...opts.limits };
  const origin = parseMirror(opts.mirror);
  const originText = describeOrigin(origin);

  const dbPath = advisoryDbPath(opts.cacheDir);
  const dbDir = path.dirname(dbPath);
  const newPath = `${dbPath}.new-${process.pid}`;
  try {
    await mkdir(dbDir, { recursive: true });
  } catch (e) {
    throw new CavasError('IO', `cannot create ${dbDir}: ${describeError(e)}`, { cause: e });
  }

  let files: FeedFile[];
  const missing: { file: FeedFile; location: string }[] = [];
  if (origin.kind === 'dir') {
    const found = await discoverDirFiles(origin.root, log);
    files = found.files;
    for (const f of found.missing) missing.push({ file: f, location: path.join(origin.root, f.relPath) });
  } else {
    files = fixedFileList();
  }

  const warnings: string[] = [];
  const sources: SourceRecord[] = [];
  const controller = new AbortController();
  const pending: Promise<Fetched>[] = [];
  let tmpDir: string | undefined;
  let writer: AdvisoryDbWriter | undefined;
  let committed = false;
  try {
    if (origin.kind !== 'dir') tmpDir = await mkdtemp(path.join(dbDir, '.download-'));
    rmSync(newPath, { force: true });
    writer = AdvisoryDbWriter.create(newPath, (w) => warnings.push(w));

    const fetchOne = (f: FeedFile, i: number): Promise<Fetched> =>
      origin.kind === 'dir'
        ? readLocal(origin.root, f.relPath)
        : download(fileUrl(origin, f.relPath), path.join(tmpDir ?? dbDir, `${i}.part`), fetchImpl, limits, controller.signal);
    let launched = 0;
    const startUpTo = (limit: number): void => {
      for (; launched < files.length && launched < limit; launched++) {
        const p = fetchOne(files[launched] as FeedFile, launched);
        // Awaited in order below; this only keeps an early failure from being "unhandled".
        p.catch(() => {});
        pending.push(p);
      }
    };

    let loaded = 0;
    for (const [i, f] of files.entries()) {
      startUpTo(i + LOOKAHEAD);
      const got = await (pending[i] as Promise<Fetched>);
      if (got.status === 'missing') {
        missing.push({ file: f, location: got.location });
        continue;
      }
      const before = writer.records;
      const fetchedAt = new Date().toISOString();
      try {
        await feeds[f.feed].load(got.file, writer, { relPath: f.relPath });
      } catch (e) {
        if (e instanceof CavasError) throw e;
        throw new CavasError('BAD_FEED', `${f.relPath}: ${describeError(e)}`, { cause: e });
      }
      const records = writer.records - before;
      sources.push({ name: f.relPath, feed: f.feed, location: got.location, records, bytes: got.bytes, sha256: got.sha256, fetchedAt });
      writer.addSource(sources[sources.length - 1] as SourceRecord);
      log(`loaded ${f.relPath}: ${records} records`);
      loaded++;
      if (tmpDir !== undefined) await rm(got.file, { force: true });
    }

    if (loaded === 0) {
      const example = origin.kind === 'dir' ? origin.root : fileUrl(origin, files[0]?.relPath ?? KEV_FILE);
      throw new CavasError('FETCH_FAILED', `no advisory feed files found at ${originText} (e.g. ${redact(example)})`);
    }
    warnings.unshift(...missingWarnings(missing, originText));

    const counts = writer.finish({ builtAt: new Date().toISOString(), origin: originText });
    try {
      renameSync(newPath, dbPath);
    } catch (e) {
      throw new CavasError('IO', `cannot move the new database into place at ${dbPath}: ${describeError(e)}`, { cause: e });
    }
    committed = true;
    return { dbPath, origin: originText, sources, counts, warnings, durationMs: Date.now() - started };
  } finally {
    controller.abort();
    await Promise.allSettled(pending);
    if (!committed) {
      writer?.abort();
      rmSync(newPath, { force: true });
    }
    if (tmpDir !== undefined) await rm(tmpDir, { recursive: true, force: true });
  }
}
