/** Runs the built CLI the way users do, and shares one advisory DB per test process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, ScanResult, VulnerabilityFinding } from '../../src/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(root, 'dist', 'cli', 'main.js');
export const CORPUS = process.env.CAVAS_CORPUS ?? resolve(root, '..', 'shared', 'corpus');
export const IMAGES = join(CORPUS, 'images');
export const MIRROR = join(CORPUS, 'advisories');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cavas(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cavas-${prefix}-`));
}

/** A cache dir holding an advisory DB built from the corpus mirror. */
export function corpusCache(): { dir: string; cleanup: () => void } {
  const dir = tempDir('cache');
  const r = cavas(['--cache-dir', dir, 'db', 'update', '--mirror', MIRROR]);
  if (r.status !== 0) throw new Error(`db update failed (${r.status}): ${r.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function scanJson(cacheDir: string, target: string, extra: string[] = []): ScanResult {
  const r = cavas(['--cache-dir', cacheDir, 'scan', target, '--format', 'json', ...extra]);
  if (r.status !== 0) throw new Error(`scan ${target} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ScanResult;
}

/** The vulnerability findings of a result (scans also report config, secret and malware findings). */
export function vulns(r: { findings: Finding[] }): VulnerabilityFinding[] {
  return r.findings.filter((f): f is VulnerabilityFinding => f.kind === 'vulnerability');
}
