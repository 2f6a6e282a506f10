/**
 * Both queue backends against the same behaviour, the Redis one on the real Redis at
 * 127.0.0.1:6379 (CAVAS_TEST_REDIS overrides), each test on a queue of its own name.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { BullQueue } from '../../src/server/queue/bullmq-queue.js';
import { MemoryQueue } from '../../src/server/queue/memory-queue.js';
import { openQueue } from '../../src/server/queue/open.js';
import { jobIdFor, type JobQueue, type ScanJobData } from '../../src/server/queue/queue.js';
import { isCavasError } from '../../src/util/errors.js';

const REDIS = process.env.CAVAS_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WORKER = join(root, 'test', 'server', 'fixtures', 'bull-worker.mjs');

let seq = 0;
const usedNames: string[] = [];
function uniqueName(): string {
  const name = `cavas-test-${process.pid}-${Date.now()}-${seq++}`;
  usedNames.push(name);
  return name;
}

// Removes every queue the tests made, whatever state its jobs were left in.
after(async () => {
  for (const name of usedNames) {
    const q = new Queue(name, { connection: { url: REDIS, maxRetriesPerRequest: null } });
    await q.obliterate({ force: true });
    await q.close();
  }
});

function job(n: number | string, scanId = 1): ScanJobData {
  return {
    scanId,
    reference: `registry.test:5000/app@sha256:${String(n).padStart(64, '0')}`,
    registry: 'registry.test:5000',
    repository: 'app',
    digest: `sha256:${String(n).padStart(64, '0')}`,
  };
}

/** Resolves when `cond` holds, fails the test when `ms` pass first. */
async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** A promise with its resolve, to hold a handler until the test lets it go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

interface Backend {
  name: string;
  make(opts?: { attempts?: number; backoffMs?: number; onError?: (m: string) => void }): Promise<JobQueue>;
}

const backends: Backend[] = [
  { name: 'memory', make: async (opts = {}) => new MemoryQueue(opts) },
  { name: 'redis (BullMQ)', make: async (opts = {}) => BullQueue.open(REDIS, { name: uniqueName(), ...opts }) },
];

for (const backend of backends) {
  describe(`${backend.name} queue`, () => {
    test('runs every job exactly once, never more than `concurrency` at a time', async () => {
      const q = await backend.make();
      try {
        const runs = new Map<string, number>();
        let now = 0;
        let most = 0;
        q.process(async (data) => {
          now++;
          most = Math.max(most, now);
          await sleep(60);
          runs.set(jobIdFor(data), (runs.get(jobIdFor(data)) ?? 0) + 1);
          now--;
        }, 3);
        for (let i = 0; i < 12; i++) assert.equal((await q.enqueue(job(i))).duplicate, false);
        await q.drain(15_000);
        assert.equal(runs.size, 12);
        for (const [id, n] of runs) assert.equal(n, 1, `job ${id} ran ${n} times`);
        assert.equal(most, 3, 'three handlers ran at once, and never more');
        assert.deepEqual(await q.depth(), { waiting: 0, active: 0, failed: 0 });
      } finally {
        await q.close(5_000);
      }
    });

    test('an id waiting or running is a duplicate; once finished it can be queued again', async () => {
      const q = await backend.make();
      try {
        const first = await q.enqueue(job('a', 1));
        assert.deepEqual(first, { jobId: jobIdFor(job('a')), duplicate: false });
        assert.equal(first.jobId.includes(':'), false);
        assert.deepEqual(await q.enqueue(job('a', 2)), { jobId: first.jobId, duplicate: true }, 'waiting');
        assert.equal((await q.enqueue(job('b', 3))).duplicate, false);
        assert.equal((await q.depth()).waiting, 2);

        const held = gate();
        const seen: number[] = [];
        let started = 0;
        q.process(async (data) => {
          started++;
          seen.push(data.scanId);
          if (data.digest === job('a').digest) await held.wait;
        }, 1);
        await until(() => started >= 1, 10_000, 'job a to start');
        assert.equal((await q.enqueue(job('a', 4))).duplicate, true, 'running');
        held.open();
        await q.drain(10_000);
        assert.deepEqual(seen, [1, 3], 'FIFO, and the duplicates never ran');

        assert.equal((await q.enqueue(job('a', 5))).duplicate, false, 'finished');
        await q.drain(10_000);
        assert.deepEqual(seen, [1, 3, 5]);
      } finally {
        await q.close(5_000);
      }
    });

    test('a failing handler is retried with backoff; one that keeps failing is given up', async () => {
      const errors: string[] = [];
      const q = await backend.make({ attempts: 2, backoffMs: 200, onError: (m) => errors.push(m) });
      try {
        const attempts: Array<[string, number, number]> = [];
        const t0 = Date.now();
        q.process(async (data, ctx) => {
          attempts.push([data.digest === job('flaky').digest ? 'flaky' : 'broken', ctx.attempt, Date.now() - t0]);
          if (data.digest === job('broken').digest || ctx.attempt === 1) throw new Error(`boom ${ctx.attempt}`);
        }, 2);
        await q.enqueue(job('flaky'));
        await q.enqueue(job('broken'));
        await q.drain(15_000);
        const flaky = attempts.filter((a) => a[0] === 'flaky');
        assert.deepEqual(flaky.map((a) => a[1]), [1, 2], 'failed once, then succeeded on attempt 2');
        assert.ok(flaky[1]![2] - flaky[0]![2] >= 150, `backoff honoured (${flaky[1]![2] - flaky[0]![2]} ms)`);
        assert.deepEqual(attempts.filter((a) => a[0] === 'broken').map((a) => a[1]), [1, 2], 'two attempts, no third');
        assert.deepEqual(await q.depth(), { waiting: 0, active: 0, failed: 1 });
        assert.ok(errors.some((m) => /^job \S+ failed \(attempt 2 of 2\): boom 2; giving up$/.test(m)), errors.join(' | '));
        for (const m of errors) assert.ok(!m.includes('\n'), 'one line each');
        // A failed job does not block its id.
        assert.equal((await q.enqueue(job('broken'))).duplicate, false);
        await q.drain(15_000);
      } finally {
        await q.close(5_000);
      }
    });

    test('depth counts waiting and running jobs', async () => {
      const q = await backend.make();
      try {
        assert.deepEqual(await q.depth(), { waiting: 0, active: 0, failed: 0 });
        for (let i = 0; i < 3; i++) await q.enqueue(job(i));
        assert.deepEqual(await q.depth(), { waiting: 3, active: 0, failed: 0 });
        const held = gate();
        q.process(() => held.wait, 1);
        await until(async () => (await q.depth()).active === 1, 10_000, 'one job to run');
        assert.deepEqual(await q.depth(), { waiting: 2, active: 1, failed: 0 });
        held.open();
        await q.drain(10_000);
        assert.deepEqual(await q.depth(), { waiting: 0, active: 0, failed: 0 });
      } finally {
        await q.close(5_000);
      }
    });

    test('close waits for a running job, and abandons one that outlives the timeout', async () => {
      const q = await backend.make();
      let finished = 0;
      let started = 0;
      q.process(async (data) => {
        started++;
        await sleep(data.scanId === 1 ? 700 : 2_000);
        finished++;
      }, 1);
      await q.enqueue(job('quick', 1));
      await until(() => started === 1, 10_000, 'the job to start');
      const t0 = Date.now();
      await q.close(10_000);
      assert.equal(finished, 1, 'close returned only after the running job finished');
      assert.ok(Date.now() - t0 < 5_000);
      await assert.rejects(q.enqueue(job('late')), /closed/);

      const q2 = await backend.make();
      q2.process(async () => {
        started++;
        await sleep(2_000);
        finished++;
      }, 1);
      await q2.enqueue(job('slow', 2));
      await until(() => started === 2, 10_000, 'the slow job to start');
      const t1 = Date.now();
      await q2.close(300);
      const took = Date.now() - t1;
      assert.ok(took < 1_500, `close gave up waiting after ${took} ms`);
      assert.equal(finished, 1, 'the slow job was still running');
      // The abandoned handler runs to its end without upsetting anything.
      await until(() => finished === 2, 5_000, 'the abandoned handler to end');
      await sleep(100);
    });
  });
}

describe('openQueue', () => {
  test('memory by default, BullMQ for redis:// URLs, a usage error otherwise', async () => {
    for (const url of [undefined, 'memory']) {
      const q = await openQueue(url);
      assert.equal(q.backend, 'memory');
      await q.close();
    }
    const r = await openQueue(REDIS, { name: uniqueName() });
    assert.equal(r.backend, 'redis');
    await r.close();
    await assert.rejects(openQueue('http://127.0.0.1:6379'), (e: unknown) => isCavasError(e) && e.code === 'USAGE');
  });

  test('an unreachable Redis is one line, quickly', async () => {
    const t0 = Date.now();
    await assert.rejects(openQueue('redis://127.0.0.1:6390/0', { name: uniqueName() }), (e: unknown) => {
      assert.ok(isCavasError(e));
      assert.equal(e.code, 'IO');
      assert.match(e.message, /^cannot reach Redis at redis:\/\/127\.0\.0\.1:6390\/0: connect ECONNREFUSED\b/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
  });

  test('a Redis database that does not exist is refused, not silently swapped for db 0', async () => {
    await assert.rejects(openQueue('redis://127.0.0.1:6379/999', { name: uniqueName() }), (e: unknown) => {
      assert.ok(isCavasError(e));
      assert.match(e.message, /^cannot reach Redis at redis:\/\/127\.0\.0\.1:6379\/999: ERR DB index is out of range$/);
      return true;
    });
  });

  test('a password in the URL is not repeated in errors', async () => {
    await assert.rejects(openQueue('redis://:s3cret@127.0.0.1:6390/0', { name: uniqueName() }), (e: unknown) => {
      assert.ok(isCavasError(e));
      assert.ok(!e.message.includes('s3cret'), e.message);
      assert.match(e.message, /redis:\/\/\*\*\*@127\.0\.0\.1:6390/);
      return true;
    });
  });
});

describe('BullMQ with worker processes', () => {
  test('a job whose worker is SIGKILLed mid-job is finished by the other worker, once', { timeout: 45_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist', 'server', 'queue', 'bullmq-queue.js')), 'build dist first (npx tsc -p tsconfig.json)');
    const name = uniqueName();
    const dir = mkdtempSync(join(tmpdir(), 'cavas-queue-'));
    const log = join(dir, 'log');
    const lines = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
    const children: ChildProcess[] = [];
    const exited = new Map<number, Promise<void>>();
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, [WORKER, REDIS, name, log, '3000'], { stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(child);
      exited.set(child.pid!, new Promise((r) => child.once('exit', () => r())));
    }
    const q = await BullQueue.open(REDIS, { name });
    try {
      await until(() => lines().filter((l) => l.startsWith('ready ')).length === 2, 15_000, 'both workers');
      const { jobId } = await q.enqueue(job('crash'));

      let victim = 0;
      await until(() => {
        const start = lines().find((l) => l.startsWith(`start ${jobId} `));
        if (start) victim = Number(start.split(' ')[3]);
        return victim > 0;
      }, 10_000, 'a worker to start the job');
      const victimChild = children.find((c) => c.pid === victim);
      assert.ok(victimChild, `start line names one of our workers (${victim})`);
      victimChild.kill('SIGKILL');
      await exited.get(victim);

      const survivor = children.find((c) => c.pid !== victim)!.pid!;
      await until(() => lines().includes(`done ${jobId} ${survivor}`), 30_000, 'the other worker to finish the job');
      await sleep(300);
      const done = lines().filter((l) => l.startsWith(`done ${jobId} `));
      assert.deepEqual(done, [`done ${jobId} ${survivor}`], 'exactly one done line, from the survivor');
      const retook = lines().find((l) => l.startsWith(`start ${jobId} `) && l.endsWith(` ${survivor}`));
      assert.equal(retook, `start ${jobId} 2 ${survivor}`, 'the survivor saw it as the second delivery');
      await q.drain(5_000);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await Promise.all(exited.values());
      await q.close(5_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
