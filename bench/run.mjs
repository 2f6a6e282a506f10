// npm run bench: scan times of the corpus images against the time to merely decompress
// the same bytes (the floor for any scanner that reads every layer). Writes bench/results.json,
// then runs bench/rematch.mjs (re-match of 10,000 stored inventories; BENCH_SKIP_REMATCH=1 skips it).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { TarParser } from '../dist/image/tar-parser.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = process.env.CAVAS_CORPUS ?? join(here, '..', '..', 'shared', 'corpus');
const images = join(corpus, 'images');
const mirror = join(corpus, 'advisories');
const cli = join(here, '..', 'dist', 'cli', 'main.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const targets = [
  'debian-app.docker.tar.gz',
  'debian-base.docker.tar.gz',
  'debian-distroless.docker.tar.gz',
  'debian-distroless.oci.tar',
  'alpine-3.16.9.docker.tar.gz',
  'alpine-3.16.9.oci.tar',
  'alpine-3.16.9-multiarch.oci.tar',
];

const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });
const isGzip = (head) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/**
 * Decompress everything compressed in the file: the whole file if gzip, else each gzip blob
 * inside the tar. zlib gets the same 256 KiB output chunks the scanner uses, so the ratio
 * compares like with like (default 16 KiB chunks would make the floor ~1.6x slower).
 */
async function gunzipOnly(file) {
  const t0 = process.hrtime.bigint();
  const head = await new Promise((resolve) => createReadStream(file, { start: 0, end: 1 }).once('data', resolve));
  if (isGzip(head)) {
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 18 }), sink());
  } else {
    const parser = new TarParser(() => {
      let gunzip;
      let first = true;
      return {
        async data(c) {
          if (first) {
            first = false;
            if (isGzip(c)) {
              gunzip = createGunzip({ chunkSize: 1 << 18 });
              gunzip.resume();
            }
          }
          if (gunzip && !gunzip.write(c)) await once(gunzip, 'drain');
        },
        async end() {
          if (gunzip) {
            gunzip.end();
            await once(gunzip, 'end');
          }
        },
      };
    }, file);
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) await parser.write(chunk);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function haveCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * debian-app pulled from a local docker-registry: cold (empty layer cache: every blob is
 * downloaded and walked) and warm (every layer analysis comes from the cache, no blob is fetched).
 */
async function benchRegistry(cacheDir) {
  if (!haveCommand('docker-registry') || !haveCommand('skopeo')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cavas-bench-registry-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\nlog:\n  level: error\n`);
  const registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      try {
        await globalThis.fetch(`http://127.0.0.1:${port}/v2/`);
        break;
      } catch {
        await sleep(100);
      }
    }
    const tar = join(dir, 'app.tar');
    writeFileSync(tar, gunzipSync(readFileSync(join(images, 'debian-app.docker.tar.gz'))));
    execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-archive:${tar}`, `docker://127.0.0.1:${port}/app:bench`]);
    const ref = `127.0.0.1:${port}/app:bench`;
    const cold = [];
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(join(cacheDir, 'layers'), { recursive: true, force: true });
      for (const list of [cold, warm]) {
        const t0 = process.hrtime.bigint();
        execFileSync(process.execPath, [cli, '--cache-dir', cacheDir, 'scan', ref, '--format', 'json', '--quiet'], { stdio: ['ignore', 'ignore', 'ignore'] });
        list.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    return {
      image: 'debian-app via local registry (whole CLI process)',
      coldMs: Math.round(median(cold)),
      warmLayerCacheMs: Math.round(median(warm)),
    };
  } finally {
    registry.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cacheDir = mkdtempSync(join(tmpdir(), 'cavas-bench-'));
try {
  const t0 = Date.now();
  execFileSync(process.execPath, [cli, '--cache-dir', cacheDir, 'db', 'update', '--mirror', mirror], { stdio: ['ignore', 'ignore', 'inherit'] });
  const dbUpdateMs = Date.now() - t0;

  const rows = [];
  for (const name of targets) {
    const file = join(images, name);
    if (!existsSync(file)) continue;
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync(process.execPath, [join(here, 'scan-once.mjs'), file, cacheDir], { encoding: 'utf8' });
      runs.push(JSON.parse(out));
    }
    // the same scan with only the OS package extractors: what the language extractors cost
    const core = [];
    for (let i = 0; i < RUNS; i++) {
      core.push(JSON.parse(execFileSync(process.execPath, [join(here, 'scan-once.mjs'), file, cacheDir, 'dpkg,apk,rpm'], { encoding: 'utf8' })));
    }
    // what the secret scanner costs: vuln alone against vuln+secret, runs interleaved so load drifts hit both
    const vulnOnly = [];
    const vulnSecret = [];
    for (let i = 0; i < RUNS; i++) {
      for (const [list, scanners] of [[vulnOnly, 'vuln'], [vulnSecret, 'vuln,secret']]) {
        list.push(JSON.parse(execFileSync(process.execPath, [join(here, 'scan-once.mjs'), file, cacheDir, '-', scanners], { encoding: 'utf8' })));
      }
    }
    const gunzips = [];
    for (let i = 0; i < RUNS; i++) gunzips.push(await gunzipOnly(file));
    const coldMs = median(runs.map((r) => r.coldMs));
    const warmMs = median(runs.map((r) => r.warmMs));
    const gunzipMs = median(gunzips);
    rows.push({
      image: name,
      coldMs: Math.round(coldMs),
      warmMs: Math.round(warmMs),
      gunzipMs: Math.round(gunzipMs),
      ratioColdToGunzip: +(coldMs / gunzipMs).toFixed(2),
      ratioWarmToGunzip: +(warmMs / gunzipMs).toFixed(2),
      coreOnlyWarmMs: Math.round(median(core.map((r) => r.warmMs))),
      vulnOnlyWarmMs: Math.round(median(vulnOnly.map((r) => r.warmMs))),
      vulnSecretWarmMs: Math.round(median(vulnSecret.map((r) => r.warmMs))),
      secretOverheadPct: Math.round((median(vulnSecret.map((r) => r.warmMs)) / median(vulnOnly.map((r) => r.warmMs)) - 1) * 100),
      maxRssMiB: Math.round(Math.max(...runs.map((r) => r.maxRssMiB))),
      findings: runs[0].findings,
    });
  }
  const registry = await benchRegistry(cacheDir);
  if (registry) console.table([registry]);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    runs: RUNS,
    note: 'warmMs/coldMs = default scan (vuln,config,secret,malware); coreOnlyWarmMs = warm default scan with only the dpkg/apk/rpm extractors (all extractors otherwise); vulnOnlyWarmMs / vulnSecretWarmMs = warm --scanners vuln / vuln,secret, secretOverheadPct their difference; cold = first scan in a fresh process (includes module loading and JIT warm-up); warm = second scan in the same process; gunzip = only decompressing the same compressed bytes with zlib; medians of runs',
    dbUpdateMs,
    images: rows,
    registry: registry ?? 'skipped: docker-registry or skopeo not installed',
  };
  // keys other benches write (rematch) stay
  const resultsFile = join(here, 'results.json');
  const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
  writeFileSync(resultsFile, JSON.stringify({ ...previous, ...results }, null, 2) + '\n');
  console.table(rows);
  console.log(`db update from the corpus mirror: ${dbUpdateMs} ms; results in bench/results.json`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

if (process.env.BENCH_SKIP_REMATCH !== '1') {
  const r = spawnSync(process.execPath, [join(here, 'rematch.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
