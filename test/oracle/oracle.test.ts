/**
 * Differential test: cavas's OS-package findings for two corpus images must equal
 * those of an independent oracle (test/oracle/expected_findings.py), which shares no
 * code with cavas and compares Debian versions with the real dpkg binary.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to build/test/oracle/, so the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const ORACLE = join(ROOT, 'test', 'oracle', 'expected_findings.py');
const CORPUS = '/work/shared/corpus';
const ADVISORIES = join(CORPUS, 'advisories');
const IMAGES = ['debian-app.docker.tar.gz', 'alpine-3.16.9.docker.tar.gz'];
/** The oracle covers OS package databases only; language-package findings are out of its scope. */
const OS_ECOSYSTEMS = new Set(['deb', 'apk']);

type Key = [id: string, pkg: string, installed: string, fixed: string];

interface OracleFinding {
  id: string;
  package: string;
  installed: string;
  fixed: string;
}

interface CavasFinding {
  id: string;
  package: { name: string; ecosystem: string };
  installedVersion: string;
  fixedVersion: string;
}

const MAX_BUFFER = 256 * 1024 * 1024;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
}

function sortKeys(keys: Key[]): Key[] {
  return [...keys].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000'), 'en'));
}

function uniq(keys: Key[]): Key[] {
  const seen = new Map<string, Key>();
  for (const k of keys) seen.set(k.join('\u0000'), k);
  return sortKeys([...seen.values()]);
}

function duplicates(keys: Key[]): string[] {
  const count = new Map<string, number>();
  for (const k of keys) count.set(k.join(' | '), (count.get(k.join(' | ')) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 1).map(([k, n]) => `${k} (x${n})`);
}

function diff(expected: Key[], actual: Key[]): string {
  const e = new Set(expected.map((k) => k.join(' | ')));
  const a = new Set(actual.map((k) => k.join(' | ')));
  const missing = [...e].filter((k) => !a.has(k));
  const extra = [...a].filter((k) => !e.has(k));
  return [
    `expected ${e.size}, cavas ${a.size}; id | package | installed | fixed`,
    `missing from cavas (${missing.length}):`,
    ...missing.map((k) => `  - ${k}`),
    `not expected but reported by cavas (${extra.length}):`,
    ...extra.map((k) => `  + ${k}`),
  ].join('\n');
}

describe('cavas findings match the independent oracle', () => {
  let cacheDir = '';

  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npx tsc -p tsconfig.json first`);
    cacheDir = mkdtempSync(join(tmpdir(), 'cavas-oracle-'));
    run(process.execPath, [CLI, 'db', 'update', '--mirror', ADVISORIES, '--cache-dir', cacheDir]);
  });

  after(() => {
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('the oracle passes its own self-checks', () => {
    assert.match(run('python3', [ORACLE, '--selftest']), /selftest ok/);
  });

  for (const image of IMAGES) {
    it(`${image}: same (id, package, installed, fixed) set`, () => {
      const imagePath = join(CORPUS, 'images', image);
      const oracle = JSON.parse(run('python3', [ORACLE, imagePath, ADVISORIES])) as OracleFinding[];
      const expected = sortKeys(oracle.map((f): Key => [f.id, f.package, f.installed, f.fixed]));
      // Guards against an oracle that silently found nothing (e.g. missed the package db).
      assert.ok(expected.length > 0, `oracle produced no findings for ${image}`);

      const out = run(process.execPath, [CLI, 'scan', imagePath, '--format', 'json', '--scanners', 'vuln', '--cache-dir', cacheDir]);
      const result = JSON.parse(out) as { findings: CavasFinding[] };
      assert.ok(Array.isArray(result.findings), 'scan JSON has no findings array');
      const raw = result.findings
        .filter((f) => OS_ECOSYSTEMS.has(f.package.ecosystem))
        .map((f): Key => [f.id, f.package.name, f.installedVersion, f.fixedVersion]);
      const actual = uniq(raw);

      assert.deepStrictEqual(actual, expected, `${image}\n${diff(expected, actual)}`);
      assert.deepStrictEqual(duplicates(raw), [], `${image}: cavas reports the same finding more than once`);
    });
  }
});
