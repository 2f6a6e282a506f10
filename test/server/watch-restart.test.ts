/**
 * cavas server without registry notifications: the watcher polls a repository's tags; and
 * a server stopped mid-scan (SIGTERM, short shutdown timeout) queues the scan again at its
 * next start, so the in-process queue loses nothing either.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IMAGES, MIRROR, cavas, tempDir } from '../e2e/cli.js';
import { startFaultProxy } from '../registry/fault-proxy.js';
import { pushImage, startRegistry, type Registry } from '../registry/harness.js';
import { freePort } from '../registry/procs.js';
import { start, stop, waitFor, type Proc } from './procs.js';

const ALPINE = join(IMAGES, 'alpine-3.16.9.docker.tar.gz');
const DISTROLESS = join(IMAGES, 'debian-distroless.docker.tar.gz');

describe('cavas server: registry watcher and restart', { timeout: 300_000 }, () => {
  let cache: string;
  let registry: Registry;
  let admin: string;
  const database = (): string => join(cache, 'server.db');
  const procs: Proc[] = [];

  const serve = async (extra: string[]): Promise<{ proc: Proc; base: string }> => {
    const port = await freePort();
    const proc = start(['--cache-dir', cache, 'server', '--port', String(port), '--database', database(), '--refresh-interval', '0', ...extra]);
    procs.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('server ready', 30_000, async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined));
    return { proc, base };
  };

  const api = async (base: string, path: string, init: RequestInit = {}): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(base + path, { ...init, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  before(async () => {
    cache = tempDir('watch');
    assert.equal(cavas(['--cache-dir', cache, 'db', 'update', '--mirror', MIRROR]).status, 0);
    registry = await startRegistry();
    const tok = cavas(['--cache-dir', cache, 'token', 'create', '--name', 't', '--scope', 'admin', '--database', database()]);
    assert.equal(tok.status, 0, tok.stderr);
    admin = tok.stdout.trim();
  });

  after(async () => {
    for (const p of procs) await stop(p);
    await registry?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('--watch finds a new tag by polling, scans it, and records a second tag of the same digest without a scan', async () => {
    const { proc, base } = await serve(['--watch', `${registry.host}/alpine`, '--watch-interval', '1s']);
    await pushImage(registry, `docker-archive:${ALPINE}`, 'alpine:3.16');
    const image = await waitFor('alpine found and scanned', 30_000, async () => {
      const { images } = await api(base, '/api/images?repository=alpine');
      return images.find((i: { tags: string[]; scannedAt?: string }) => i.tags.includes('3.16') && i.scannedAt);
    });
    const { findings } = await api(base, `/api/images/${image.id}/findings?kind=vulnerability`);
    assert.equal(findings.length, 2);
    await pushImage(registry, `docker-archive:${ALPINE}`, 'alpine:latest');
    await waitFor('second tag recorded', 30_000, async () => {
      const { images } = await api(base, '/api/images?repository=alpine');
      return images.find((i: { tags: string[] }) => i.tags.includes('latest') && i.tags.includes('3.16'));
    });
    const { events } = await api(base, '/api/events?type=image.scanned&limit=100');
    assert.equal(events.length, 1, 'one scan for one digest');
    assert.equal(await stop(proc), 0);
  });

  it('SIGTERM mid-scan stops within the shutdown timeout; the next start queues the scan again and finishes it', async () => {
    // an image whose layers are not in the layer cache yet, so the scan must download them;
    // the first blob download through this proxy never answers: the scan is running when the server stops
    await pushImage(registry, `docker-archive:${DISTROLESS}`, 'distroless:12');
    const proxy = await startFaultProxy(registry.url, { rules: [{ kind: 'blob', first: 1, action: 'hang', methods: ['GET'] }] });
    try {
      const first = await serve(['--shutdown-timeout', '1s']);
      const { scan } = await api(first.base, '/api/scans', { method: 'POST', body: JSON.stringify({ image: `${proxy.host}/distroless:12` }) });
      await waitFor('scan running', 15_000, async () => ((await api(first.base, `/api/scans/${scan.id}`)).status === 'running' ? true : undefined));
      await waitFor('the hung blob request', 15_000, async () => (proxy.count('blob', 'GET') > 0 ? true : undefined));
      const stopped = Date.now();
      assert.equal(await stop(first.proc), 0);
      assert.ok(Date.now() - stopped < 10_000, 'the shutdown timeout bounds the stop');
      const second = await serve([]);
      const done = await waitFor('the scan finished after the restart', 30_000, async () => {
        const s = await api(second.base, `/api/scans/${scan.id}`);
        return s.status === 'done' ? s : undefined;
      });
      assert.match(done.digest, /^sha256:[0-9a-f]{64}$/);
      assert.ok(second.proc.lines.some((l) => l.includes('requeued scans left by the last run')));
      await stop(second.proc);
    } finally {
      await proxy.close();
    }
  });
});
