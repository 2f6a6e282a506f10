// npm run bench:rematch (also the last step of npm run bench, unless BENCH_SKIP_REMATCH=1):
// how long re-matching 10,000 stored inventories takes after an advisory DB update, on SQLite
// and on PostgreSQL. The inventories are the corpus images' real package sets with versions
// varied per inventory; they are first stored with findings from a reduced advisory DB (some
// Debian and Alpine records held back, a few Debian statements not fixed yet), then a
// ScanService re-matches them against the full one, as after a `cavas db update` that brought
// those records and fixes: new, gone and now-fixable findings. Writes the `rematch` key of
// bench/results.json (the other keys are kept).
//
// Each measured phase runs in a child process of its own, so peak RSS is that phase's.
// Env: BENCH_REMATCH_COUNT (default 10000), BENCH_PG_URL (server, default
// postgres://postgres@127.0.0.1:5432), BENCH_REMATCH_BACKENDS (sqlite,postgres), BENCH_REMATCH_NOT_YET_FIXED (0.03),
// BENCH_REMATCH_PROF=DIR (children run with --cpu-prof into DIR), BENCH_REMATCH_KEEP=1 (keep the
// work directory: DBs, bases.json, the SQLite store), CAVAS_CORPUS.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const cli = join(dist, 'cli', 'main.js');
const corpus = process.env.CAVAS_CORPUS ?? join(here, '..', '..', 'shared', 'corpus');
const mirror = join(corpus, 'advisories');
const images = join(corpus, 'images');
const COUNT = Number(process.env.BENCH_REMATCH_COUNT ?? 10000);
const PG_SERVER = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const BACKENDS = (process.env.BENCH_REMATCH_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean);
const GOAL_SECONDS = 60;
const SEED = 20261129;
/** Share of (source) packages whose version an inventory changes. */
const VARY_RATE = 0.3;
/** Held back from the reduced DB: Debian tracker source packages, Alpine 3.16 main secdb packages. */
const HOLD_BACK_DEBIAN = 0.2;
const HOLD_BACK_ALPINE = 0.25;
/** Kept Debian bookworm statements shown as still open (no fix yet) in the reduced DB: the update brings their fix. */
const NOT_YET_FIXED = Number(process.env.BENCH_REMATCH_NOT_YET_FIXED ?? 0.03);
const BASES = ['debian-app', 'debian-base', 'debian-distroless', 'alpine-3.16.9'];
const LOAD_NOW = '2026-01-01T00:00:00.000Z';

// ------------------------------------------------------------------ deterministic data

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The last run of digits moved by delta (never below 0): 1.3.8 -> 1.3.7, 1.2-r17 -> 1.2-r15, 1-1+deb12u2 -> 1-1+deb12u3. */
function bumpLast(version, delta) {
  const m = /^(.*\D)?(\d+)(\D*)$/.exec(version);
  if (!m) return undefined;
  const n = Number(m[2]) + delta;
  if (n < 0 || !Number.isSafeInteger(n)) return undefined;
  const digits = m[2].length > 1 && m[2].startsWith('0') ? String(n).padStart(m[2].length, '0') : String(n);
  return `${m[1] ?? ''}${digits}${m[3]}`;
}

/** The purl with its version part replaced, in the form it had (plain, v-prefixed or encoded); undefined when it cannot tell. */
function purlWithVersion(purl, oldVersion, newVersion) {
  const end = [purl.indexOf('?'), purl.indexOf('#')].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), purl.length);
  const at = purl.lastIndexOf('@', end);
  if (at < 0) return undefined;
  const part = purl.slice(at + 1, end);
  let next;
  if (part === oldVersion) next = newVersion;
  else if (part === `v${oldVersion}`) next = `v${newVersion}`;
  else if (part === encodeURIComponent(oldVersion)) next = encodeURIComponent(newVersion);
  else return undefined;
  return purl.slice(0, at + 1) + next + purl.slice(end);
}

/**
 * Inventory number i: a corpus base picked by a seeded PRNG, with ~30% of its packages at
 * another version. Binaries of one source package move together, as they do in a real
 * image; purls are rebuilt so they stay consistent with name and version.
 */
function generate(bases, i) {
  const rng = mulberry32(SEED + i * 7919);
  const base = bases[Math.floor(rng() * bases.length)];
  const digest = `sha256:${createHash('sha256').update(`cavas-bench-rematch-${i}`).digest('hex')}`;
  const changes = new Map();
  const changeOf = (pkg) => {
    const group = `${pkg.ecosystem}\0${pkg.source?.name ?? pkg.name}`;
    let c = changes.get(group);
    if (c === undefined) {
      c = null;
      if (rng() < VARY_RATE) {
        const older = rng() < 0.5;
        const steps = rng() < 0.3 ? 2 : 1;
        // a deb security update undone: 1-1+deb12u2 -> 1-1
        const strip = pkg.ecosystem === 'deb' && older && rng() < 0.4;
        c = (v) => (strip && /\+deb\d+u\d+$/.test(v) ? v.replace(/\+deb\d+u\d+$/, '') : bumpLast(v, older ? -steps : steps));
      }
      changes.set(group, c);
    }
    return c;
  };
  let varied = 0;
  const packages = base.inventory.packages.map((pkg) => {
    const change = changeOf(pkg);
    if (!change) return pkg;
    const version = change(pkg.version);
    if (!version || version === pkg.version) return pkg;
    const purl = purlWithVersion(pkg.purl, pkg.version, version);
    if (!purl) return pkg;
    const out = { ...pkg, version, purl };
    if (pkg.source) out.source = { ...pkg.source, version: pkg.source.version === pkg.version ? version : (change(pkg.source.version) ?? pkg.source.version) };
    varied++;
    return out;
  });
  return {
    base: base.name,
    digest,
    image: { ...base.image, manifestDigest: digest },
    inventory: { ...base.inventory, packages },
    layers: base.layers,
    varied,
    repository: `bench/${base.name}-${i % 500}`,
    tag: `v${i}`,
  };
}

// ------------------------------------------------------------------ orchestration (parent)

function run(args, opts = {}) {
  return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'] });
}

/** A mirror made of symlinks to the real one, but with part of Debian's tracker and of Alpine 3.16's secdb held back. */
function reducedMirror(dir) {
  mkdirSync(dir, { recursive: true });
  const rng = mulberry32(SEED);
  for (const name of ['osv', 'kev']) symlinkSync(join(mirror, name), join(dir, name));

  const tracker = JSON.parse(readFileSync(join(mirror, 'debian', 'tracker.json'), 'utf8'));
  const heldDebian = [];
  const keptTracker = {};
  let notYetFixed = 0;
  for (const name of Object.keys(tracker).sort()) {
    if (rng() < HOLD_BACK_DEBIAN) {
      heldDebian.push(name);
      continue;
    }
    keptTracker[name] = tracker[name];
    for (const cve of Object.values(tracker[name])) {
      const bookworm = cve.releases?.bookworm;
      if (bookworm?.status !== 'resolved' || rng() >= NOT_YET_FIXED) continue;
      // affected and unfixed before the update: older versions become fixable, newer ones no longer vulnerable
      cve.releases.bookworm = { status: 'open', urgency: bookworm.urgency };
      notYetFixed++;
    }
  }
  mkdirSync(join(dir, 'debian'));
  writeFileSync(join(dir, 'debian', 'tracker.json'), JSON.stringify(keptTracker));

  // branches are real directories: the mirror lister does not follow directory symlinks
  const heldAlpine = [];
  for (const branch of readdirSync(join(mirror, 'alpine-secdb'), { withFileTypes: true })) {
    if (!branch.isDirectory()) continue;
    mkdirSync(join(dir, 'alpine-secdb', branch.name), { recursive: true });
    for (const file of readdirSync(join(mirror, 'alpine-secdb', branch.name))) {
      const from = join(mirror, 'alpine-secdb', branch.name, file);
      const to = join(dir, 'alpine-secdb', branch.name, file);
      if (branch.name !== 'v3.16' || file !== 'main.json') {
        symlinkSync(from, to);
        continue;
      }
      const secdb = JSON.parse(readFileSync(from, 'utf8'));
      secdb.packages = secdb.packages.filter((p) => {
        const hold = rng() < HOLD_BACK_ALPINE;
        if (hold) heldAlpine.push(p.pkg.name);
        return !hold;
      });
      writeFileSync(to, JSON.stringify(secdb));
    }
  }
  return { debianSourcePackages: { heldBack: heldDebian.length, of: Object.keys(tracker).length }, debianBookwormStatementsNotYetFixed: notYetFixed, alpine316MainPackages: { heldBack: heldAlpine.length, of: heldAlpine.length + JSON.parse(readFileSync(join(dir, 'alpine-secdb', 'v3.16', 'main.json'), 'utf8')).packages.length } };
}

function dbUpdate(cacheDir, from) {
  const t0 = performance.now();
  run(['--cache-dir', cacheDir, 'db', 'update', '--mirror', from]);
  return Math.round(performance.now() - t0);
}

/** One real scan per corpus image: what a stored inventory starts from. */
function scanBases(cacheDir) {
  return BASES.map((name) => {
    const result = JSON.parse(run(['--cache-dir', cacheDir, 'scan', join(images, `${name}.docker.tar.gz`), '-f', 'json', '--scanners', 'vuln']));
    const layers = result.image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, ...(l.createdBy ? { createdBy: l.createdBy } : {}) }));
    return { name, image: result.image, inventory: result.inventory, layers, findings: result.findings.length };
  });
}

/** Runs a phase in its own process; its last stdout line is the JSON result. */
function child(phase, work, url) {
  const prof = process.env.BENCH_REMATCH_PROF;
  const flags = prof ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-name', `${phase}-${url?.startsWith('postgres') ? 'postgres' : 'sqlite'}.cpuprofile`] : [];
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--phase', phase, '--work', work, ...(url ? ['--url', url] : [])], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bench phase ${phase} failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function withPostgresDb(fn) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres`, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    return { skipped: `PostgreSQL at ${PG_SERVER} unreachable: ${e.message || e.code || e}` };
  }
  const name = `cavas_bench_rematch_${process.pid}_${Date.now()}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    return await fn(`${PG_SERVER}/${name}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function backendRun(work, url) {
  const load = child('load', work, url);
  const rematch = child('rematch', work, url);
  return { initialLoad: load, rematch, underGoal: rematch.rematchSeconds < GOAL_SECONDS };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'cavas-bench-rematch-'));
  try {
    const reducedDir = join(work, 'mirror-reduced');
    const heldBack = reducedMirror(reducedDir);
    const dbUpdateMs = { reduced: dbUpdate(join(work, 'cache-reduced'), reducedDir), full: dbUpdate(join(work, 'cache-full'), mirror) };
    console.error(`rematch bench: advisory DBs built (reduced ${dbUpdateMs.reduced} ms, full ${dbUpdateMs.full} ms)`);
    const bases = scanBases(join(work, 'cache-full'));
    writeFileSync(join(work, 'bases.json'), JSON.stringify(bases));

    const matching = child('match', work);
    console.error(`rematch bench: pure matching of ${COUNT} inventories: ${matching.fullDb.seconds} s`);
    const backends = {};
    for (const backend of BACKENDS) {
      if (backend === 'sqlite') backends.sqlite = await backendRun(work, join(work, 'server.db'));
      else if (backend === 'postgres') backends.postgres = await withPostgresDb((url) => backendRun(work, url));
      else throw new Error(`unknown backend ${backend}`);
      const r = backends[backend];
      console.error(
        r.skipped
          ? `rematch bench: ${backend} skipped: ${r.skipped}`
          : `rematch bench: ${backend}: load ${r.initialLoad.seconds} s, re-match ${r.rematch.rematchSeconds} s (${r.rematch.inventoriesPerSecond}/s), ${r.rematch.findingEvents} finding events`,
      );
    }

    const rematch = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
      goalSeconds: GOAL_SECONDS,
      note:
        'inventories generated from the corpus images (debian-app, debian-base, debian-distroless, alpine-3.16.9 docker archives) with ~30% of source packages at an older or newer version (seeded PRNG); stored with findings matched against a reduced advisory DB (Debian tracker and Alpine 3.16 main secdb with packages held back), then ScanService.rematchIfChanged() against the full DB. rematchSeconds is that call; storeSeconds are the time inside store calls it made, matchSeconds the rest (matching, diffing into events); pureMatching is matchInventory alone over the same inventories, without a store. maxRssMiB is the peak of the process running that phase only',
      inventories: COUNT,
      seed: SEED,
      varyRate: VARY_RATE,
      notYetFixedRate: NOT_YET_FIXED,
      bases: bases.map((b) => ({ image: b.name, packages: b.inventory.packages.length, findingsFullDb: b.findings })),
      heldBack,
      dbUpdateMs,
      pureMatching: matching,
      ...backends,
    };
    const file = join(here, 'results.json');
    const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    writeFileSync(file, JSON.stringify({ ...previous, rematch }, null, 2) + '\n');
    const rows = Object.entries(backends).map(([backend, r]) =>
      r.skipped
        ? { backend, skipped: r.skipped }
        : {
            backend,
            inventories: r.rematch.rematched,
            loadS: r.initialLoad.seconds,
            rematchS: r.rematch.rematchSeconds,
            invPerS: r.rematch.inventoriesPerSecond,
            matchS: r.rematch.matchSeconds,
            storeS: r.rematch.storeSecondsTotal,
            findingsBefore: r.rematch.openFindingsBefore,
            findingsAfter: r.rematch.openFindingsAfter,
            events: r.rematch.findingEvents,
            rssMiB: r.rematch.maxRssMiB,
          },
    );
    console.table(rows);
    console.log(`re-match bench: goal < ${GOAL_SECONDS} s; results under "rematch" in bench/results.json`);
  } finally {
    if (process.env.BENCH_REMATCH_KEEP === '1') console.error(`rematch bench: work directory kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ phases (children)

const secs = (ms) => +(ms / 1000).toFixed(2);
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function openAdvisories(cacheDir) {
  const { AdvisoryDb } = await import('../dist/advisory/store.js');
  const { CachingLookup } = await import('../dist/server/advisory-lookup.js');
  const { advisoryDbPath } = await import('../dist/util/cache-dir.js');
  const db = AdvisoryDb.open(advisoryDbPath(cacheDir));
  return { db, lookup: new CachingLookup(db) };
}

async function countOpen(store) {
  const row = await store.driver.get('SELECT COUNT(*) AS n FROM findings WHERE fixed_at IS NULL');
  return Number(row.n);
}

/** Every inventory matched against the reduced DB and stored as a scan job would store it. */
async function phaseLoad(work, url, bases) {
  const { matchInventory } = await import('../dist/match/matcher.js');
  const { openStore } = await import('../dist/server/store/open.js');
  const { db, lookup } = await openAdvisories(join(work, 'cache-reduced'));
  const store = await openStore(url, join(work, 'unused.db'));
  let matchMs = 0;
  let storeMs = 0;
  let packages = 0;
  let varied = 0;
  const byBase = {};
  const t0 = performance.now();
  try {
    for (let i = 0; i < COUNT; i++) {
      const inv = generate(bases, i);
      packages += inv.inventory.packages.length;
      varied += inv.varied;
      byBase[inv.base] = (byBase[inv.base] ?? 0) + 1;
      const m0 = performance.now();
      const findings = matchInventory(inv.inventory, lookup, []);
      const s0 = performance.now();
      await store.upsertImage({ registry: 'bench.local', repository: inv.repository, digest: inv.digest, tag: inv.tag }, LOAD_NOW);
      await store.saveScan({ digest: inv.digest, image: inv.image, inventory: inv.inventory, scannedAt: LOAD_NOW }, inv.layers, findings, LOAD_NOW);
      const s1 = performance.now();
      matchMs += s0 - m0;
      storeMs += s1 - s0;
      if ((i + 1) % 2000 === 0) console.error(`  load ${store.backend}: ${i + 1}/${COUNT} (${secs(performance.now() - t0)} s)`);
    }
    const seconds = secs(performance.now() - t0);
    return {
      backend: store.backend,
      inventories: COUNT,
      byBase,
      packagesTotal: packages,
      packagesVaried: varied,
      openFindings: await countOpen(store),
      seconds,
      matchSeconds: secs(matchMs),
      storeSeconds: secs(storeMs),
      inventoriesPerSecond: Math.round(COUNT / seconds),
      maxRssMiB: maxRssMiB(),
    };
  } finally {
    await store.close();
    db.close();
  }
}

/** Times every store call the service makes: the rest of the re-match is matching and diffing. */
function instrument(store, names) {
  const timings = {};
  for (const name of names) {
    // methods an older or newer store lacks are left out
    if (typeof store[name] !== 'function') continue;
    const original = store[name].bind(store);
    const t = (timings[name] = { calls: 0, ms: 0 });
    store[name] = async (...args) => {
      const s = performance.now();
      try {
        return await original(...args);
      } finally {
        t.ms += performance.now() - s;
        t.calls++;
      }
    };
  }
  return timings;
}

/** The re-match after the DB update, through the service as the server runs it. */
async function phaseRematch(work, url) {
  const { openStore } = await import('../dist/server/store/open.js');
  const { ScanService } = await import('../dist/server/service.js');
  const store = await openStore(url, join(work, 'unused.db'));
  try {
    const openBefore = await countOpen(store);
    const eventsBefore = Number((await store.driver.get('SELECT COUNT(*) AS n FROM events')).n);
    const noop = () => undefined;
    const queue = {
      backend: 'memory',
      enqueue: async () => ({ jobId: 'bench', duplicate: false }),
      process: noop,
      depth: async () => ({ waiting: 0, active: 0, failed: 0 }),
      drain: async () => undefined,
      close: async () => undefined,
    };
    const timings = instrument(store, ['getMeta', 'setMeta', 'listInventories', 'syncFindings', 'imagesByDigest', 'firstImageOf', 'addEvents']);
    const service = new ScanService({ store, queue, cacheDir: join(work, 'cache-full'), logger: { info: noop, warn: noop, error: noop } });
    const t0 = performance.now();
    const result = await service.rematchIfChanged();
    const ms = performance.now() - t0;
    const storeMs = Object.values(timings).reduce((a, t) => a + t.ms, 0);
    const byType = Object.fromEntries(
      (await store.driver.all('SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type')).map((r) => [r.type, Number(r.n)]),
    );
    return {
      backend: store.backend,
      changed: result.changed,
      rematched: result.rematched,
      rematchSeconds: secs(ms),
      inventoriesPerSecond: Math.round(result.rematched / (ms / 1000)),
      openFindingsBefore: openBefore,
      openFindingsAfter: await countOpen(store),
      findingEvents: result.events,
      eventsStored: Number((await store.driver.get('SELECT COUNT(*) AS n FROM events')).n) - eventsBefore,
      eventsByType: byType,
      matchSeconds: secs(ms - storeMs),
      storeSecondsTotal: secs(storeMs),
      storeSeconds: Object.fromEntries(Object.entries(timings).map(([k, t]) => [k, { calls: t.calls, seconds: secs(t.ms) }])),
      maxRssMiB: maxRssMiB(),
    };
  } finally {
    await store.close();
  }
}

/** matchInventory alone over the same inventories: the floor for the matching part. */
async function phaseMatch(work, bases) {
  const { matchInventory } = await import('../dist/match/matcher.js');
  const out = {};
  for (const which of ['reduced', 'full']) {
    const { db, lookup } = await openAdvisories(join(work, `cache-${which}`));
    let ms = 0;
    let findings = 0;
    try {
      for (let i = 0; i < COUNT; i++) {
        const inv = generate(bases, i);
        const t0 = performance.now();
        findings += matchInventory(inv.inventory, lookup, []).length;
        ms += performance.now() - t0;
      }
    } finally {
      db.close();
    }
    out[`${which}Db`] = { seconds: secs(ms), findings };
  }
  out.maxRssMiB = maxRssMiB();
  return out;
}

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const phase = arg('phase');
if (phase === undefined) {
  await main();
} else {
  const work = arg('work');
  const bases = JSON.parse(readFileSync(join(work, 'bases.json'), 'utf8'));
  const result =
    phase === 'load' ? await phaseLoad(work, arg('url'), bases) : phase === 'rematch' ? await phaseRematch(work, arg('url')) : phase === 'match' ? await phaseMatch(work, bases) : undefined;
  if (result === undefined) throw new Error(`unknown phase ${phase}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
