/**
 * Scan jobs behind one interface with two backends: in-process (the embedded default)
 * and BullMQ on Redis (many `cavas worker` processes). Delivery is at least once: a job
 * whose worker dies is handed out again, so handlers are idempotent (keyed by digest).
 */

export interface ScanJobData {
  /** The ScanRecord this job fulfils. */
  scanId: number;
  /** What to pull: host/repo@sha256:... or host/repo:tag. */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface JobContext {
  /** 1 on the first delivery; more when a previous worker died or the job failed. */
  attempt: number;
}

export type JobHandler = (job: ScanJobData, ctx: JobContext) => Promise<void>;

export interface QueueDepth {
  waiting: number;
  active: number;
  failed: number;
}

export interface JobQueue {
  readonly backend: 'memory' | 'redis';
  /**
   * Add a job. Its id is the manifest digest when known (else the reference): while a job
   * with that id is waiting or running, adding it again is a no-op (duplicate: true).
   */
  enqueue(job: ScanJobData): Promise<{ jobId: string; duplicate: boolean }>;
  /** Start taking jobs with at most `concurrency` at once. */
  process(handler: JobHandler, concurrency: number): void;
  depth(): Promise<QueueDepth>;
  /** Wait until nothing is waiting or running (tests, one-shot runs). */
  drain(timeoutMs: number): Promise<void>;
  /**
   * Graceful stop: take no new jobs and wait for running ones up to timeoutMs; what is
   * still running then is given back to the queue (BullMQ: its lock lapses and another
   * worker takes it; in-process: it is lost with the process, and the scan record stays
   * 'running' for the next start to re-queue).
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Job ids: BullMQ forbids ':' in custom ids, so the digest's colon is replaced. */
export function jobIdFor(job: Pick<ScanJobData, 'digest' | 'reference'>): string {
  const basis = job.digest ?? job.reference;
  return basis.replace(/[^A-Za-z0-9._-]/g, '_');
}
