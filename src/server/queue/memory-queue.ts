/**
 * The embedded backend: jobs live in this process only. Nothing survives a restart; the
 * scan records do, and the server re-queues those still pending when it starts again.
 */
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

interface Entry {
  id: string;
  data: ScanJobData;
  /** Deliveries so far. */
  deliveries: number;
}

export type MemoryQueueOptions = QueueOptions;

export class MemoryQueue implements JobQueue {
  readonly backend = 'memory' as const;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly report: (message: string) => void;
  private readonly ready: Entry[] = [];
  /** Ids waiting, backing off or running: what dedup looks at. */
  private readonly pending = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly changed = new Set<() => void>();
  private running = 0;
  private failed = 0;
  private handler?: JobHandler;
  private concurrency = 0;
  private closed = false;

  constructor(opts: MemoryQueueOptions = {}) {
    this.attempts = positiveInt(opts.attempts, DEFAULT_ATTEMPTS, 'queue attempts');
    this.backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.report = opts.onError ?? stderrSink();
  }

  async enqueue(data: ScanJobData): Promise<{ jobId: string; duplicate: boolean }> {
    if (this.closed) throw new CavasError('USAGE', 'the job queue is closed');
    const id = jobIdFor(data);
    if (this.pending.has(id)) return { jobId: id, duplicate: true };
    this.pending.add(id);
    this.ready.push({ id, data, deliveries: 0 });
    this.pump();
    return { jobId: id, duplicate: false };
  }

  process(handler: JobHandler, concurrency: number): void {
    if (this.handler) throw new CavasError('USAGE', 'the job queue already has a handler');
    this.concurrency = positiveInt(concurrency, 1, 'queue concurrency');
    this.handler = handler;
    this.pump();
  }

  async depth(): Promise<QueueDepth> {
    return { waiting: this.ready.length + this.retryTimers.size, active: this.running, failed: this.failed };
  }

  async drain(timeoutMs: number): Promise<void> {
    if (await waitUntil(() => this.pending.size === 0, timeoutMs, 1000, this.changed)) return;
    const d = await this.depth();
    throw new CavasError('LIMIT_EXCEEDED', `the job queue did not drain within ${timeoutMs} ms (${d.waiting} waiting, ${d.active} running)`);
  }

  /**
   * Takes no new jobs, drops the waiting ones and those backing off (they are lost with the
   * process), and waits up to timeoutMs for running handlers. A handler still running then
   * is abandoned: it goes on in the background, but nothing it does afterwards (success,
   * failure, retry) is looked at, and close() does not wait for it.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const t of this.retryTimers) clearTimeout(t);
      this.retryTimers.clear();
      for (const e of this.ready.splice(0)) this.pending.delete(e.id);
    }
    await waitUntil(() => this.running === 0, timeoutMs, 1000, this.changed);
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.running < this.concurrency) {
      const entry = this.ready.shift();
      if (!entry) break;
      this.run(handler, entry);
    }
  }

  private run(handler: JobHandler, entry: Entry): void {
    this.running++;
    entry.deliveries++;
    // A handler that throws synchronously is a failed delivery like any other.
    Promise.resolve()
      .then(() => handler(entry.data, { attempt: entry.deliveries }))
      .then(
        () => this.pending.delete(entry.id),
        (err: unknown) => this.failedDelivery(entry, err),
      )
      .finally(() => {
        this.running--;
        this.notify();
        this.pump();
      });
  }

  private failedDelivery(entry: Entry, err: unknown): void {
    if (this.closed) {
      this.pending.delete(entry.id);
      return;
    }
    const msg = `job ${entry.id} failed (attempt ${entry.deliveries} of ${this.attempts}): ${describeError(err)}`;
    if (entry.deliveries >= this.attempts) {
      this.pending.delete(entry.id);
      this.failed++;
      this.report(`${msg}; giving up`);
      return;
    }
    const delay = this.backoffMs * 2 ** (entry.deliveries - 1);
    this.report(`${msg}; retrying in ${delay} ms`);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.ready.push(entry);
      this.pump();
    }, delay);
    this.retryTimers.add(timer);
  }

  private notify(): void {
    for (const poke of [...this.changed]) poke();
  }
}
