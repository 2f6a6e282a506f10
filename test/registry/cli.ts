/**
 * Runs the built CLI without blocking the event loop: the token server and the fault
 * proxy live in the test process and must keep answering while cavas runs.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, vulns } from '../e2e/cli.js';
import type { ScanResult } from '../../src/types.js';

export interface TimedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let emptyDockerConfig: string | undefined;

/** A DOCKER_CONFIG dir without config.json, so logins of the machine running the tests stay out. */
function noDockerLogins(): string {
  if (!emptyDockerConfig) {
    const dir = mkdtempSync(join(tmpdir(), 'cavas-dockercfg-'));
    emptyDockerConfig = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return emptyDockerConfig;
}

export function cavasAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<TimedRun> {
  const start = Date.now();
  // credentials and CA settings of the machine running the tests must not leak into a run
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DOCKER_CONFIG: noDockerLogins() };
  for (const k of ['CAVAS_USERNAME', 'CAVAS_PASSWORD', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS']) delete env[k];
  Object.assign(env, opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - start });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A new cache dir holding only a copy of the template's advisory DB: no cached layers. */
export function freshCache(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cavas-regcache-'));
  mkdirSync(join(dir, 'db'));
  copyFileSync(join(template, 'db', 'advisories.db'), join(dir, 'db', 'advisories.db'));
  return dir;
}

export function parseScan(r: TimedRun, what: string): ScanResult {
  if (r.status !== 0) throw new Error(`scan ${what} failed (${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as ScanResult;
}

/** What must not change between scanning an image from a file and from a registry. */
export function essence(r: ScanResult): { findings: string[]; purls: string[] } {
  return {
    findings: vulns(r).map((f) => [f.id, f.package.name, f.package.purl, f.installedVersion, f.fixedVersion, f.layer].join(' | ')).sort(),
    purls: r.inventory.packages.map((p) => p.purl).sort(),
  };
}
