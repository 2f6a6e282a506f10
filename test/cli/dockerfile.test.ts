/**
 * The Dockerfile that packages cavas. No container engine runs in the tests, so they check
 * what can break without one: cavas lints its own Dockerfile clean, every COPY from the build
 * context exists and survives .dockerignore, and the ENTRYPOINT is a file the build produces.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { parseDockerfile, type DfInstruction, type DfStage } from '../../src/check/dockerfile/parse.js';
import type { LintResult } from '../../src/check/dockerfile/render.js';
import { cavas } from '../e2e/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const df = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  description: string;
  license: string;
  bin: Record<string, string>;
  files: string[];
};

/**
 * .dockerignore as Docker reads it: patterns in order, the last match wins, `!` re-includes,
 * and a pattern that matches a directory matches everything under it.
 */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const include = l.startsWith('!');
      const pattern = posix.normalize((include ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { include, match: picomatch(pattern, { dot: true }) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) if (prefixes.some((p) => r.match(p))) excluded = !r.include;
    return excluded;
  };
}

const excluded = dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));

function filesUnder(rel: string): string[] {
  const abs = join(root, rel);
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

function stage(name: string | undefined): DfStage {
  const s = name === undefined ? df.final : df.stages.find((x) => x.name === name);
  assert.ok(s, `stage ${name ?? '(final)'}`);
  return s;
}

function flag(ins: DfInstruction, name: string): string | undefined {
  return ins.flags.find((f) => f.name === name)?.value ?? undefined;
}

interface Placement {
  /** Absolute source path (build stage) or context-relative path. */
  src: string;
  /** Absolute path in the stage's filesystem. */
  dest: string;
  from?: string;
  ins: DfInstruction;
}

/**
 * Where each COPY puts its sources, following WORKDIR. A directory source's contents go
 * to the destination itself; several sources, or a destination ending in "/", make it a directory.
 */
function placements(s: DfStage): { copies: Placement[]; workdirs: string[] } {
  let cwd = '/';
  const copies: Placement[] = [];
  const workdirs: string[] = [];
  for (const ins of s.instructions) {
    if (ins.keyword === 'WORKDIR') {
      cwd = posix.resolve(cwd, ins.args[0] ?? '/');
      workdirs.push(cwd);
    }
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const from = flag(ins, 'from');
    const sources = ins.args.slice(0, -1).filter((a) => !a.startsWith('<<'));
    const target = ins.args.at(-1) ?? '';
    const intoDir = sources.length > 1 || target.endsWith('/') || target === '.';
    const dest = posix.resolve(cwd, target);
    for (const src of sources) {
      // a missing context path is reported by the COPY test, not as an ENOENT here
      const isDir = from === undefined ? existsSync(join(root, src)) && statSync(join(root, src)).isDirectory() : !posix.extname(src);
      const to = intoDir && !isDir ? posix.join(dest, posix.basename(src)) : dest;
      copies.push({ src, dest: to, ins, ...(from !== undefined ? { from } : {}) });
    }
  }
  return { copies, workdirs };
}

describe('Dockerfile', () => {
  it('cavas lint finds nothing HIGH or CRITICAL; only the documented tag-without-digest pin', () => {
    const r = cavas(['lint', 'Dockerfile', '--format', 'json'], { cwd: root });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as LintResult;
    const severe = doc.findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
    assert.deepEqual(severe, []);
    // Production pins the digest (see the Dockerfile header); anything else is a new finding to fix.
    for (const f of doc.findings) {
      assert.deepEqual([f.ruleId, f.severity], ['dockerfile/unpinned-base', 'LOW'], `${f.line}: ${f.message}`);
      assert.match(f.message, /has a tag but no digest/);
    }
    const gate = cavas(['lint', 'Dockerfile', '--severity', 'HIGH+', '--exit-code', '1'], { cwd: root });
    assert.equal(gate.status, 0, gate.stdout + gate.stderr);
  });

  it('two stages on node:20-bookworm-slim: npm ci, build and prune in the build stage', () => {
    assert.equal(df.stages.length, 2);
    for (const s of df.stages) assert.equal(s.base?.ref, 'node:20-bookworm-slim');
    const runs = stage('build')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args.join(' '));
    for (const step of ['npm ci', 'npm run build', 'npm prune --omit=dev']) assert.ok(runs.some((r) => r.includes(step)), step);
    for (const tool of ['python3', 'make', 'g++']) assert.ok(runs.some((r) => r.includes('apt-get install') && r.split(' ').includes(tool)), tool);
  });

  it('every COPY from the build context exists and is not excluded by .dockerignore', () => {
    const fromContext = df.stages.flatMap((s) => placements(s).copies).filter((c) => c.from === undefined);
    assert.ok(fromContext.length >= 5);
    for (const { src } of fromContext) {
      assert.doesNotMatch(src, /[*?[]/, `${src}: no globs, so the check sees exactly what is copied`);
      assert.ok(existsSync(join(root, src)), `${src} exists`);
      const files = filesUnder(src);
      assert.ok(files.length > 0, `${src} has files`);
      for (const f of files) assert.ok(!excluded(f), `${f} is in the build context`);
    }
  });

  it('.dockerignore keeps local builds, dependencies and history out of the context', () => {
    for (const p of ['node_modules/ajv/package.json', 'dist/cli/main.js', 'build/test/x.js', '.git/config', 'test/e2e/cli.ts', '.ci/run']) {
      assert.ok(excluded(p), p);
    }
  });

  it('the runtime image holds what package.json ships, and the ENTRYPOINT is the built bin', () => {
    const build = placements(stage('build'));
    const buildDir = build.workdirs.at(-1);
    assert.equal(buildDir, '/src');
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string } };
    assert.equal(tsconfig.compilerOptions.outDir, 'dist');

    const runtime = placements(df.final).copies;
    const app = '/opt/cavas';
    const placed = new Map(runtime.map((c) => [c.dest, c]));
    for (const entry of ['package.json', 'node_modules', ...pkg.files]) assert.ok(placed.has(posix.join(app, entry)), `${entry} in ${app}`);
    for (const c of runtime) {
      assert.ok(c.dest.startsWith(`${app}/`), `${c.src} lands in ${app}`);
      if (c.from === undefined) continue;
      assert.equal(c.from, 'build');
      // build-stage paths map to the same paths in a built checkout
      const inRepo = posix.relative(buildDir, c.src);
      assert.ok(!inRepo.startsWith('..'), c.src);
      assert.equal(posix.join(app, inRepo), c.dest);
      assert.ok(existsSync(join(root, inRepo)), `${inRepo} exists after npm run build`);
    }

    const entrypoint = df.final.instructions.findLast((i) => i.keyword === 'ENTRYPOINT');
    assert.ok(entrypoint?.jsonForm, 'exec-form ENTRYPOINT');
    assert.deepEqual(entrypoint.args, ['node', posix.join(app, pkg.bin.cavas ?? '')]);
    assert.equal(pkg.bin.cavas, 'dist/cli/main.js');
    assert.equal(placed.get(posix.join(app, 'dist'))?.src, posix.join(buildDir, tsconfig.compilerOptions.outDir));
    assert.ok(existsSync(join(root, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is produced by npm run build');

    const cmd = df.final.instructions.findLast((i) => i.keyword === 'CMD');
    assert.deepEqual(cmd?.args, ['--help']);
    const help = cavas(['--help']);
    assert.equal(help.status, 0, help.stderr);
  });

  it('runs as a numeric non-root user with a cache volume it owns', () => {
    const ins = df.final.instructions;
    const user = ins.findLast((i) => i.keyword === 'USER')?.args[0] ?? '';
    assert.match(user, /^[1-9][0-9]*:[1-9][0-9]*$/);
    const [uid, gid] = user.split(':');
    const cacheDir = ins.flatMap((i) => (i.keyword === 'ENV' ? i.properties : [])).find((p) => p.name === 'CAVAS_CACHE_DIR')?.value;
    assert.equal(cacheDir, '/var/cache/cavas');
    assert.ok(ins.some((i) => i.keyword === 'VOLUME' && i.args.includes(cacheDir)), 'VOLUME on the cache dir');
    const setup = ins.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    assert.ok(setup.some((r) => r.includes(`chown ${uid}:${gid} ${cacheDir}`)), `${cacheDir} owned by ${user}`);
    assert.ok(setup.some((r) => r.includes(`--uid ${uid}`)), `a user with uid ${uid} exists`);
    assert.deepEqual(ins.find((i) => i.keyword === 'HEALTHCHECK')?.args, ['NONE']);
  });

  it('OCI labels match package.json', () => {
    const labels = Object.fromEntries(
      df.final.instructions.flatMap((i) => (i.keyword === 'LABEL' ? i.properties : [])).map((p) => [p.name, (p.value ?? '').replace(/^"|"$/g, '')]),
    );
    const version = df.final.instructions.find((i) => i.keyword === 'ARG' && i.properties[0]?.name === 'CAVAS_VERSION')?.properties[0]?.value;
    assert.equal(version, pkg.version, 'ARG CAVAS_VERSION default follows package.json');
    assert.deepEqual(labels, {
      'org.opencontainers.image.title': 'cavas',
      'org.opencontainers.image.description': pkg.description,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.version': '${CAVAS_VERSION}',
    });
  });
});
