/**
 * Differential test: cavas's npm and Go findings for two corpus images must equal
 * those of an independent oracle (test/oracle/expected_lang_findings.py), which
 * shares no code with cavas: it reads the lock file and Go build info itself and
 * walks the OSV ranges with its own SemVer 2.0.0 comparator.
 *
 * A cavas finding matches an oracle finding when package name, installed version
 * and fixed version are equal and the oracle id (first CVE alias, else OSV id) is
 * the cavas id or one of its aliases.
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
const ORACLE = join(ROOT, 'test', 'oracle', 'expected_lang_findings.py');
const CORPUS = '/work/shared/corpus';
const ADVISORIES = join(CORPUS, 'advisories');
const LANG_ECOSYSTEMS = new Set(['npm', 'go']);
const MAX_BUFFER = 256 * 1024 * 1024;

/** Per image, how many findings of each ecosystem the oracle must at least produce (guards an oracle that finds nothing). */
const IMAGES: Array<{ file: string; min: Record<string, number> }> = [
  { file: 'debian-app.docker.tar.gz', min: { npm: 1, go: 1 } },
  { file: 'debian-distroless.oci.tar', min: { go: 1 } },
];

interface OracleFinding {
  id: string;
  package: string;
  installed: string;
  fixed: string;
  ecosystem: string;
  osv: string[];
}

interface CavasFinding {
  id: string;
  aliases?: string[];
  package: { name: string; ecosystem: string };
  installedVersion: string;
  fixedVersion: string;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
}

const showOracle = (o: OracleFinding): string =>
  `${o.ecosystem} ${o.package}@${o.installed} ${o.id} fixed=${o.fixed} (osv ${o.osv.join(',')})`;
const showCavas = (c: CavasFinding): string =>
  `${c.package.ecosystem} ${c.package.name}@${c.installedVersion} ${c.id} fixed=${c.fixedVersion} aliases=[${(c.aliases ?? []).join(',')}]`;

/** Every discrepancy between the two finding lists, one line each; empty when they agree. */
export function compareFindings(oracle: OracleFinding[], cavas: CavasFinding[]): string[] {
  const problems: string[] = [];
  const used = new Set<number>();
  for (const o of oracle) {
    const candidates = cavas
      .map((c, i) => ({ c, i }))
      .filter(
        ({ c }) =>
          c.package.name === o.package &&
          c.installedVersion === o.installed &&
          (c.id === o.id || (c.aliases ?? []).includes(o.id)),
      );
    candidates.forEach(({ i }) => used.add(i));
    const exact = candidates.filter(({ c }) => c.fixedVersion === o.fixed);
    if (candidates.length === 0) problems.push(`missing from cavas: ${showOracle(o)}`);
    else if (exact.length === 0)
      problems.push(`wrong fixed version: oracle ${showOracle(o)} / cavas ${candidates.map(({ c }) => showCavas(c)).join(' ; ')}`);
    else if (candidates.length > 1)
      problems.push(`reported ${candidates.length} times: ${candidates.map(({ c }) => showCavas(c)).join(' ; ')}`);
  }
  cavas.forEach((c, i) => {
    if (!used.has(i)) problems.push(`not expected but reported by cavas: ${showCavas(c)}`);
  });
  return problems;
}

describe('cavas npm and Go findings match the independent oracle', () => {
  let cacheDir = '';

  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npx tsc -p tsconfig.json first`);
    cacheDir = mkdtempSync(join(tmpdir(), 'cavas-lang-oracle-'));
    run(process.execPath, [CLI, '--cache-dir', cacheDir, 'db', 'update', '--mirror', ADVISORIES]);
  });

  after(() => {
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('the oracle passes its own self-checks', () => {
    assert.match(run('python3', [ORACLE, '--selftest']), /selftest ok/);
  });

  it('the comparison catches a wrong fix, a missing and an extra finding', () => {
    const o: OracleFinding = { id: 'CVE-1', package: 'p', installed: '1.0.0', fixed: '1.2.0', ecosystem: 'npm', osv: ['GHSA-x'] };
    const c: CavasFinding = { id: 'GHSA-x', aliases: ['CVE-1'], package: { name: 'p', ecosystem: 'npm' }, installedVersion: '1.0.0', fixedVersion: '1.2.0' };
    assert.deepEqual(compareFindings([o], [c]), []);
    assert.match(compareFindings([o], [{ ...c, fixedVersion: '1.3.0' }]).join('\n'), /wrong fixed version/);
    assert.match(compareFindings([o], [{ ...c, aliases: [] }]).join('\n'), /missing from cavas[\s\S]*not expected/);
    assert.match(compareFindings([o], [c, c]).join('\n'), /reported 2 times/);
  });

  for (const { file, min } of IMAGES) {
    it(`${file}: same npm/Go (package, installed, fixed, id) set`, () => {
      const imagePath = join(CORPUS, 'images', file);
      const oracle = JSON.parse(run('python3', [ORACLE, imagePath, ADVISORIES])) as OracleFinding[];
      for (const [eco, n] of Object.entries(min)) {
        const got = oracle.filter((o) => o.ecosystem === eco).length;
        assert.ok(got >= n, `oracle produced ${got} ${eco} findings for ${file}`);
      }

      const out = run(process.execPath, [CLI, '--cache-dir', cacheDir, 'scan', imagePath, '--format', 'json', '--scanners', 'vuln']);
      const result = JSON.parse(out) as { findings: CavasFinding[] };
      assert.ok(Array.isArray(result.findings), 'scan JSON has no findings array');
      const cavas = result.findings.filter((f) => LANG_ECOSYSTEMS.has(f.package.ecosystem));

      const problems = compareFindings(oracle, cavas);
      assert.deepEqual(
        problems,
        [],
        `${file}: oracle ${oracle.length} findings, cavas ${cavas.length} npm/go findings\n${problems.join('\n')}`,
      );
    });
  }
});
