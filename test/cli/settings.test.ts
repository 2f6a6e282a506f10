/** cavas.yaml and CAVAS_* variables: every flag, with flag > environment > file > default. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import type { ScanResult } from '../../src/types.js';
import { applySettings, checkSettingsFile, configPath, envName, updateSettingsDoc, type SettingsFile } from '../../src/cli/settings.js';
import { buildProgram } from '../../src/cli/program.js';
import { IMAGES, cavas, corpusCache, tempDir } from '../e2e/cli.js';

const APP = join(IMAGES, 'debian-app.docker.tar.gz');

function program(): { root: Command; scan: Command; update: Command } {
  const collect = (v: string, p: string[]): string[] => [...p, v];
  const root = new Command('cavas').option('--cache-dir <dir>').option('--config <file>').exitOverride();
  const scan = root.command('scan').argument('<t>').option('-f, --format <f>', '', collect, []).option('-s, --severity <s>').option('--ignore-unfixed').option('--exit-code <n>', '', '0').option('--no-progress').action(() => {});
  const db = root.command('db');
  const update = db.command('update').option('--mirror <m>').action(() => {});
  return { root, scan, update };
}

function run(argv: string[], values: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): ReturnType<typeof program> {
  const p = program();
  const file: SettingsFile | undefined = values ? { path: 'cavas.yaml', values } : undefined;
  if (file) checkSettingsFile(p.root, file);
  p.root.hook('preAction', (_r, action) => applySettings(action, file, env));
  p.root.parse(['node', 'cavas', ...argv]);
  return p;
}

describe('settings: precedence', () => {
  it('flag > environment > file > default, per option', () => {
    const file = { severity: 'LOW', 'exit-code': 4, scan: { severity: 'MEDIUM' } };
    assert.equal(run(['scan', 'x'], undefined).scan.opts().severity, undefined);
    assert.equal(run(['scan', 'x'], undefined).scan.opts().exitCode, '0');
    assert.equal(run(['scan', 'x'], file).scan.opts().severity, 'MEDIUM', 'the scan section wins over the top level');
    assert.equal(run(['scan', 'x'], file).scan.opts().exitCode, '4', 'top-level keys apply, numbers become strings');
    assert.equal(run(['scan', 'x'], file, { CAVAS_SEVERITY: 'HIGH' }).scan.opts().severity, 'HIGH');
    assert.equal(run(['scan', 'x', '-s', 'CRITICAL'], file, { CAVAS_SEVERITY: 'HIGH' }).scan.opts().severity, 'CRITICAL');
  });

  it('booleans: "false" in the environment is false; negated flags invert', () => {
    assert.equal(run(['scan', 'x'], { 'ignore-unfixed': true }).scan.opts().ignoreUnfixed, true);
    assert.equal(run(['scan', 'x'], { 'ignore-unfixed': true }, { CAVAS_IGNORE_UNFIXED: 'false' }).scan.opts().ignoreUnfixed, false);
    assert.equal(run(['scan', 'x'], { ignoreUnfixed: true }).scan.opts().ignoreUnfixed, true, 'camelCase keys are accepted');
    assert.equal(run(['scan', 'x'], { progress: false }).scan.opts().progress, false);
    assert.equal(run(['scan', 'x'], undefined, { CAVAS_PROGRESS: 'no' }).scan.opts().progress, false);
    assert.throws(() => run(['scan', 'x'], undefined, { CAVAS_IGNORE_UNFIXED: 'maybe' }), /CAVAS_IGNORE_UNFIXED: expected true or false, got "maybe"/);
  });

  it('repeatable flags: a list in the file, comma-separated in the environment, replaced (not merged) by flags', () => {
    assert.deepEqual(run(['scan', 'x'], { format: ['json=a.json', 'table'] }).scan.opts().format, ['json=a.json', 'table']);
    assert.deepEqual(run(['scan', 'x'], { format: 'sarif' }).scan.opts().format, ['sarif']);
    assert.deepEqual(run(['scan', 'x'], undefined, { CAVAS_FORMAT: 'json=a.json, sarif=b.sarif' }).scan.opts().format, ['json=a.json', 'sarif=b.sarif']);
    assert.deepEqual(run(['scan', 'x', '-f', 'table'], { format: ['json=a.json'] }, { CAVAS_FORMAT: 'sarif' }).scan.opts().format, ['table']);
  });

  it('nested command sections and global options', () => {
    const p = run(['db', 'update'], { 'cache-dir': '/c', db: { update: { mirror: '/m' } } });
    assert.equal(p.update.opts().mirror, '/m');
    assert.equal(p.root.opts().cacheDir, '/c');
  });

  it('unknown keys and wrong types are errors that name the setting', () => {
    assert.throws(() => run(['scan', 'x'], { severty: 'HIGH' }), /unknown setting "severty"/);
    assert.throws(() => run(['scan', 'x'], { scan: { mirror: 'x' } }), /unknown setting "scan\.mirror"/);
    assert.throws(() => run(['scan', 'x'], { 'ignore-unfixed': 'yes' }), /ignore-unfixed: expected true or false/);
    assert.throws(() => run(['scan', 'x'], { severity: { a: 1 } }), /severity: expected a string or number/);
  });

  it('env names and config discovery', () => {
    const p = program();
    assert.deepEqual(p.scan.options.map(envName), ['CAVAS_FORMAT', 'CAVAS_SEVERITY', 'CAVAS_IGNORE_UNFIXED', 'CAVAS_EXIT_CODE', 'CAVAS_PROGRESS']);
    assert.deepEqual(configPath(['scan', '--config', 'a.yaml', 'x'], {}), { path: 'a.yaml', explicit: true });
    assert.deepEqual(configPath(['--config=b.yaml'], { CAVAS_CONFIG: 'c.yaml' }), { path: 'b.yaml', explicit: true });
    assert.deepEqual(configPath([], { CAVAS_CONFIG: 'c.yaml' }), { path: 'c.yaml', explicit: true });
    assert.throws(() => configPath(['--config'], {}), /--config needs a file name/);
  });
});

describe('settings: docs', () => {
  it('docs/configuration.md lists every flag with its variable and key (npm run docs:settings)', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'configuration.md'), 'utf8');
    assert.equal(doc, updateSettingsDoc(doc, buildProgram()));
    assert.match(doc, /\| `--ignore-unfixed` \| `CAVAS_IGNORE_UNFIXED` \| `scan\.ignore-unfixed` \|/);
  });
});

describe('settings: the real CLI', () => {
  let cache: { dir: string; cleanup: () => void };
  before(() => {
    cache = corpusCache();
  });
  after(() => cache.cleanup());

  const severities = (stdout: string): string[] => [...new Set((JSON.parse(stdout) as ScanResult).findings.map((f) => f.severity))].sort();

  it('./cavas.yaml sets format, severity and exit code; CAVAS_* and flags override it', () => {
    const cwd = tempDir('settings');
    writeFileSync(join(cwd, 'cavas.yaml'), `cache-dir: ${cache.dir}\nscan:\n  format: json\n  severity: [CRITICAL]\n  exit-code: 3\n  scanners: vuln\n`);
    const fromFile = cavas(['scan', APP, '-q'], { cwd });
    assert.equal(fromFile.status, 3, fromFile.stderr);
    assert.deepEqual(severities(fromFile.stdout), ['CRITICAL']);
    const fromEnv = cavas(['scan', APP, '-q'], { cwd, env: { CAVAS_SEVERITY: 'HIGH', CAVAS_EXIT_CODE: '0' } });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.deepEqual(severities(fromEnv.stdout), ['HIGH']);
    const fromFlag = cavas(['scan', APP, '-q', '--severity', 'MEDIUM'], { cwd, env: { CAVAS_SEVERITY: 'HIGH' } });
    assert.deepEqual(severities(fromFlag.stdout), ['MEDIUM']);
  });

  it('CAVAS_FORMAT writes several reports; CAVAS_CONFIG and --config pick another file', () => {
    const cwd = tempDir('settings');
    writeFileSync(join(cwd, 'ci.yaml'), 'scan:\n  scanners: vuln\n');
    const r = cavas(['--cache-dir', cache.dir, 'scan', APP, '-q'], { cwd, env: { CAVAS_CONFIG: 'ci.yaml', CAVAS_FORMAT: 'json=out.json,sarif=out.sarif' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual((JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8')) as ScanResult).scanners, ['vuln']);
    assert.ok(existsSync(join(cwd, 'out.sarif')));
    const missing = cavas(['--config', 'nope.yaml', 'scan', APP], { cwd });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'cavas: error: config file nope.yaml: no such file\n');
  });

  it('bad files: one line, exit 2, nothing scanned', () => {
    const cwd = tempDir('settings');
    writeFileSync(join(cwd, 'cavas.yaml'), 'scan: [unclosed\n');
    const bad = cavas(['--cache-dir', cache.dir, 'scan', APP], { cwd });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^cavas: error: config file cavas\.yaml: not valid YAML \(.+\)\n$/);
    writeFileSync(join(cwd, 'cavas.yaml'), 'scan:\n  severity: HIGH\n  sevrity: LOW\n');
    const typo = cavas(['--cache-dir', cache.dir, 'scan', APP], { cwd });
    assert.equal(typo.status, 2);
    assert.equal(typo.stderr, 'cavas: error: config file cavas.yaml: unknown setting "scan.sevrity" (see cavas --help and docs/configuration.md)\n');
    const badEnv = cavas(['--cache-dir', cache.dir, 'scan', APP], { cwd: tempDir('settings'), env: { CAVAS_EXIT_CODE: 'x' } });
    assert.equal(badEnv.status, 2);
    assert.match(badEnv.stderr, /--exit-code must be 0\.\.255, got "x"/);
  });
});
