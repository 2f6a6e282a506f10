/**
 * The shared backend: BullMQ on Redis, so any number of `cavas worker` processes take jobs
 * from one queue and a worker that dies has its job handed to another.
 *
 * BullMQ 6 drives Redis through the `ioredis` package, which it loads itself from the
 * connection options below; it is a peer of bullmq, not bundled with it.
 */
import { Job, Queue, Worker, type RedisOptions } from 'bullmq';
import { CavasError, describeError } from '../../util/errors.js';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  positiveInt,
  stderrSink,
  waitUntil,
  type QueueOptions,
} from './options.js';
import { jobIdFor, type JobHandler, type JobQueue, type QueueDepth, type ScanJobData } from './queue.js';

export const DEFAULT_QUEUE_NAME = 'cavas-scans';

export interface BullQueueOptions extends QueueOptions {
  /** BullMQ queue name (default 'cavas-scans'); every process of one deployment must agree on it. */
  name?: string;
  /** Redis key prefix (BullMQ's default 'bull'). */
  prefix?: string;
  /**
   * How long a job stays claimed without its worker renewing the claim (default 10 s;
   * BullMQ's own is 30 s). Shorter means a killed worker's job is taken over sooner, at
   * most about lockDuration + 2 × stalledInterval after the kill; but a worker whose event
   * loop is blocked for longer than this (a long synchronous step) loses the claim while it
   * is still working, and the job then runs twice at once.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose claim lapsed (default 5 s; BullMQ's own is 30 s). */
  stalledIntervalMs?: number;
  /**
   * Times a job may be taken over from a dead worker before it is failed (default 2): an
   * image that crashes every worker that reads it must not crash them forever.
   */
  maxStalledCount?: number;
  /** Time allowed for the first connection (default 3 s). */
  connectTimeoutMs?: number;
}

export class BullQueue implements JobQueue {
  readonly backend = 'redis' as const;
  readonly name: string;
  private readonly url: string;
  private readonly prefix: string | undefined;
  private readonly opts: Required<Omit<BullQueueOptions, 'name' | 'prefix' | 'onError'>>;
  private readonly report: (message: string) => void;
  private readonly queue: Queue<ScanJobData>;
  private readonly ready: Promise<void>;
  /** Until the first connection succeeds a failure is final (one clear error); after it, ioredis reconnects. */
  private connected = false;
  /** An error while connecting that ioredis goes past (a SELECT of a missing db ends up on db 0). */
  private startupError?: unknown;
  private worker?: Worker<ScanJobData>;
  private running = 0;
  private readonly changed = new Set<() => void>();
  private closing?: Promise<void>;

  /** Connects in the background; `connect()` (or `BullQueue.open`) tells whether Redis is there. */
  constructor(url: string, opts: BullQueueOptions = {}) {
    this.url = checkUrl(url);
    this.name = opts.name ?? DEFAULT_QUEUE_NAME;
    if (this.name === '' || this.name.includes(':')) throw new CavasError('USAGE', `bad queue name '${this.name}': it must be non-empty and have no ':'`);
    this.prefix = opts.prefix;
    this.opts = {
      attempts: positiveInt(opts.attempts, DEFAULT_ATTEMPTS, 'queue attempts'),
      backoffMs: opts.backoffMs ?? DEFAULT_BACKOFF_MS,
      lockDurationMs: opts.lockDurationMs ?? 10_000,
      stalledIntervalMs: opts.stalledIntervalMs ?? 5_000,
      maxStalledCount: opts.maxStalledCount ?? 2,
      connectTimeoutMs: opts.connectTimeoutMs ?? 3_000,
    };
    this.report = opts.onError ?? stderrSink();
    this.queue = new Queue<ScanJobData>(this.name, { connection: this.connection(), prefix: this.prefix });
    this.queue.on('error', (err) => this.connectionError(err));
    this.ready = this.firstConnection();
    // Whoever awaits connect() sees the failure; this only keeps it from being "unhandled".
    this.ready.catch(() => undefined);
  }

  /** A connected queue, or a one-line CavasError naming the Redis that could not be reached. */
  static async open(url: string, opts: BullQueueOptions = {}): Promise<BullQueue> {
    const q = new BullQueue(url, opts);
    try {
      await q.connect();
    } catch (err) {
      await q.queue.close().catch(() => undefined);
      throw err;
    }
    return q;
  }

  connect(): Promise<void> {
    return this.ready;
  }

  /**
   * BullMQ keeps a job's id while the job exists and silently returns the existing job when
   * the id is added again, so whether this call added anything is read back from Redis: the
   * stored job is ours when it carries our timestamp and scan id. A finished job still
   * holding the id (failed ones are kept for inspection) is removed and the add repeated.
   */
  async enqueue(data: ScanJobData): Promise<{ jobId: string; duplicate: boolean }> {
    await this.ready;
    if (this.closing) throw new CavasError('USAGE', 'the job queue is closed');
    const jobId = jobIdFor(data);
    for (let round = 0; ; round++) {
      const added = await this.queue.add('scan', data, {
        jobId,
        attempts: this.opts.attempts,
        backoff: { type: 'exponential', delay: this.opts.backoffMs },
        removeOnComplete: true,
        removeOnFail: 1000,
      });
      const stored = await Job.fromId<ScanJobData>(this.queue, jobId);
      // Gone already: it ran and was removed on completion in between.
      if (!stored) return { jobId, duplicate: false };
      if (stored.timestamp === added.timestamp && stored.data.scanId === data.scanId) return { jobId, duplicate: false };
      const state = await stored.getState();
      if ((state !== 'failed' && state !== 'completed') || round >= 2) return { jobId, duplicate: true };
      await stored.remove().catch(() => undefined);
    }
  }

  process(handler: JobHandler, concurrency: number): void {
    if (this.worker) throw new CavasError('USAGE', 'the job queue already has a handler');
    if (this.closing) throw new CavasError('USAGE', 'the job queue is closed');
    const worker = new Worker<ScanJobData>(
      this.name,
      async (job) => {
        this.running++;
        try {
          // attemptsStarted counts every delivery, those after a dead worker's too.
          await handler(job.data, { attempt: job.attemptsStarted });
        } finally {
          this.running--;
          for (const poke of [...this.changed]) poke();
        }
      },
      {
        connection: this.connection(),
        prefix: this.prefix,
        concurrency: positiveInt(concurrency, 1, 'queue concurrency'),
        lockDuration: this.opts.lockDurationMs,
        stalledInterval: this.opts.stalledIntervalMs,
        maxStalledCount: this.opts.maxStalledCount,
      },
    );
    worker.on('error', (err) => this.connectionError(err));
    worker.on('failed', (job, err) => {
      if (!job) return;
      // attemptsMade counts failures only (a dead worker's delivery is not one), like `attempts`.
      const attempts = job.opts.attempts ?? 1;
      const last = job.attemptsMade >= attempts;
      this.report(`job ${job.id} failed (attempt ${job.attemptsMade} of ${attempts}): ${describeError(err)}${last ? '; giving up' : '; will retry'}`);
    });
    this.worker = worker;
  }

  /** Counts for the whole queue, all workers included; jobs backing off before a retry count as waiting. */
  async depth(): Promise<QueueDepth> {
    await this.ready;
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed');
    return {
      waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      failed: c.failed ?? 0,
    };
  }

  /** Waits (polling Redis) until no job of the queue waits or runs anywhere; unlike BullMQ's drain it removes nothing. */
  async drain(timeoutMs: number): Promise<void> {
    const idle = async (): Promise<boolean> => {
      const d = await this.depth();
      return d.waiting + d.active === 0;
    };
    if (await waitUntil(idle, timeoutMs, 100)) return;
    const d = await this.depth();
    throw new CavasError('LIMIT_EXCEEDED', `the job queue did not drain within ${timeoutMs} ms (${d.waiting} waiting, ${d.active} running)`);
  }

  /**
   * Stops taking jobs and waits up to timeoutMs for this process's running handlers. One still
   * running then is abandoned: the connections close, its claim lapses, and another worker
   * takes the job over within lockDuration + stalledInterval or so; the handler itself goes on
   * here until it returns or the process exits, and its outcome is dropped.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const worker = this.worker;
    if (worker) {
      // BullMQ's worker.close() cannot be turned into close(true) once it waits (a second call
      // returns the first one's promise), so the waiting is done here: pause without waiting,
      // count our own handlers down, then close gracefully or by force.
      await worker.pause(true).catch((err: unknown) => this.connectionError(err));
      const finished = await waitUntil(() => this.running === 0, timeoutMs, 250, this.changed);
      await worker.close(!finished).catch((err: unknown) => this.connectionError(err));
    }
    await this.queue.close().catch((err: unknown) => this.connectionError(err));
  }

  private async firstConnection(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // ioredis gives up after connectTimeout already; this bounds the rest (version check, scripts).
    const limit = this.opts.connectTimeoutMs + 2_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
    });
    try {
      await Promise.race([this.queue.waitUntilReady(), timeout]);
      if (this.startupError !== undefined) throw this.startupError;
      this.connected = true;
    } catch (err) {
      const msg = describeError(err);
      if (/could not load the optional 'ioredis' package/.test(msg)) {
        throw new CavasError('USAGE', "the Redis queue needs the 'ioredis' package, which is not installed");
      }
      throw new CavasError('IO', `cannot reach Redis at ${redact(this.url)}: ${msg}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(): RedisOptions {
    return {
      url: this.url,
      // BullMQ's blocking commands need this; it would override any other value anyway.
      maxRetriesPerRequest: null,
      connectTimeout: this.opts.connectTimeoutMs,
      retryStrategy: (times: number) => (this.connected && !this.closing ? Math.max(Math.min(Math.exp(times), 20_000), 1_000) : null),
    };
  }

  private connectionError(err: unknown): void {
    // Before the first connection the error is for connect() to throw; while closing, abandoned
    // handlers finishing on closed connections are expected.
    if (!this.connected) {
      this.startupError ??= err;
      return;
    }
    if (this.closing) return;
    this.report(`Redis at ${redact(this.url)}: ${describeError(err)}`);
  }
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CavasError('USAGE', `bad Redis URL '${redact(url)}': expected redis://host:port/db or rediss://...`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CavasError('USAGE', `bad Redis URL '${redact(url)}': expected redis://host:port/db or rediss://...`);
  }
  return url;
}

/** Messages name the server, never its password. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_m, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user ? `${user}:` : ''}***@`;
  });
}
