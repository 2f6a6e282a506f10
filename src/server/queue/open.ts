/** Picks the queue backend from the configured URL: none or 'memory' keeps jobs in-process. */
import { CavasError } from '../../util/errors.js';
import { BullQueue, type BullQueueOptions } from './bullmq-queue.js';
import { MemoryQueue } from './memory-queue.js';
import type { JobQueue } from './queue.js';

export type OpenQueueOptions = BullQueueOptions;

/** A ready queue: for Redis, connected (or a one-line CavasError saying why not). */
export async function openQueue(url: string | undefined, opts: OpenQueueOptions = {}): Promise<JobQueue> {
  if (url === undefined || url === '' || url === 'memory') {
    return new MemoryQueue({ attempts: opts.attempts, backoffMs: opts.backoffMs, onError: opts.onError });
  }
  if (/^rediss?:\/\//i.test(url)) return BullQueue.open(url, opts);
  throw new CavasError('USAGE', `unknown queue '${url.replace(/\/\/[^@/]*@/, '//***@')}': use 'memory' or a redis:// or rediss:// URL`);
}
