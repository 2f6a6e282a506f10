/**
 * docker-daemon: against a real Docker-compatible engine API: Podman's API service with
 * its own throwaway storage, fed with the corpus image by `podman load`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { IMAGES, cavas, corpusCache, scanJson, tempDir, vulns } from './cli.js';

let work: string;
let cache: { dir: string; cleanup: () => void };
let service: ChildProcess | undefined;
let socket: string;

const podman = (...args: string[]) =>
  execFileSync('podman', ['--root', join(work, 'root'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

async function waitForSocket(path: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(path), 'podman API socket came up');
}

before(async () => {
  work = tempDir('podman');
  cache = corpusCache();
  const tar = join(work, 'alpine.tar');
  writeFileSync(tar, gunzipSync(readFileSync(join(IMAGES, 'alpine-3.16.9.docker.tar.gz'))));
  podman('load', '-i', tar);
  socket = join(work, 'podman.sock');
  service = spawn('podman', ['--root', join(work, 'root'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs', 'system', 'service', '--time=0', `unix://${socket}`], {
    stdio: 'ignore',
  });
  await waitForSocket(socket);
});

after(() => {
  service?.kill('SIGTERM');
  cache.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('docker-daemon: source (Podman API service)', () => {
  it('scans an engine image with the same findings as its archive', () => {
    process.env.DOCKER_HOST = `unix://${socket}`;
    const viaEngine = scanJson(cache.dir, 'docker-daemon:alpine:3.16.9');
    const viaArchive = scanJson(cache.dir, join(IMAGES, 'alpine-3.16.9.docker.tar.gz'));
    const key = (r: typeof viaEngine) => vulns(r).map((f) => `${f.id} ${f.package.name} ${f.installedVersion} ${f.fixedVersion} L${f.layer}`).sort();
    assert.ok(viaEngine.findings.length > 0);
    assert.deepEqual(key(viaEngine), key(viaArchive));
    assert.equal(viaEngine.image.configDigest, viaArchive.image.configDigest);
    assert.equal(viaEngine.image.transport, 'docker-daemon');
  });

  it('an unknown image and an unreachable engine are one-line errors', () => {
    const missing = cavas(['--cache-dir', cache.dir, 'scan', 'docker-daemon:nope:1'], { env: { DOCKER_HOST: `unix://${socket}` } });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope:1/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const down = cavas(['--cache-dir', cache.dir, 'scan', 'docker-daemon:alpine:3.16.9'], { env: { DOCKER_HOST: `unix://${join(work, 'absent.sock')}` } });
    assert.equal(down.status, 2);
    assert.match(down.stderr, /cannot reach the container engine/);
  });
});
