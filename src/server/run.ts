/**
 * Starts the pieces of a server or worker process and stops them in order. `cavas server`
 * serves HTTP and (with the in-process queue) runs scans; `cavas worker` only runs scans.
 */
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { RegistryOptions } from '../image/source.js';
import { describeError } from '../util/errors.js';
import { buildApp } from './http/app.js';
import { ServerMetrics } from './metrics.js';
import { Notifier } from './notify/notifier.js';
import { openQueue } from './queue/open.js';
import type { JobQueue } from './queue/queue.js';
import { ScanService, type Logger } from './service.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { RegistryWatcher } from './watcher.js';

const RESUME_AFTER_MS = 10 * 60_000;
const RESUME_EVERY_MS = 5 * 60_000;

export interface CoreOptions {
  cacheDir: string;
  /** sqlite:PATH, a path, or postgres://...; default <cache-dir>/server/cavas.db. */
  database?: string;
  /** memory (default) or redis://... */
  queue?: string;
  queueName?: string;
  /** Scans run at once in this process (0: this process takes no scan jobs). */
  concurrency: number;
  mirror?: string;
  registry?: RegistryOptions;
  logLevel?: string;
  /** How long a stop waits for running scans before giving them back to the queue. */
  shutdownTimeoutMs: number;
}

export interface ServerOptions extends CoreOptions {
  host: string;
  port: number;
  hookSecret?: string;
  allowedRegistries?: string[];
  /** Advisory refresh period (0: only on POST /api/db/refresh). */
  refreshIntervalMs: number;
  watch: string[];
  watchIntervalMs: number;
  bodyLimit?: number;
  webRoot?: string;
}

export interface Core {
  store: Store;
  queue: JobQueue;
  metrics: ServerMetrics;
  notifier: Notifier;
  service: ScanService;
  logger: Logger & FastifyBaseLogger;
}

export function defaultDatabase(cacheDir: string): string {
  return join(cacheDir, 'server', 'cavas.db');
}

/** Store, queue, metrics, notifier and the scan service, with jobs taken when concurrency > 0. */
export async function startCore(opts: CoreOptions): Promise<Core> {
  const logger = pino({ level: opts.logLevel ?? 'info', base: { pid: process.pid }, redact: ['req.headers.authorization'] });
  const store = await openStore(opts.database, defaultDatabase(opts.cacheDir));
  let queue: JobQueue;
  try {
    queue = await openQueue(opts.queue, opts.queueName ? { name: opts.queueName } : {});
  } catch (e) {
    await store.close();
    throw e;
  }
  const metrics = new ServerMetrics();
  metrics.setQueueDepthSource(() => queue.depth());
  const notifier = new Notifier(store, { onFailure: () => metrics.notificationFailed(), logger });
  const service = new ScanService({ store, queue, metrics, notifier, cacheDir: opts.cacheDir, mirror: opts.mirror, registry: opts.registry, logger });
  if (opts.concurrency > 0) queue.process((job, ctx) => service.runScanJob(job, ctx), opts.concurrency);
  return { store, queue, metrics, notifier, service, logger };
}

export async function stopCore(core: Core, timeoutMs: number): Promise<void> {
  await core.queue.close(timeoutMs).catch((e: unknown) => core.logger.error({ err: describeError(e) }, 'queue close'));
  await core.notifier.close(timeoutMs).catch(() => {});
  await core.store.close().catch(() => {});
}

/** Resolves when the process got SIGTERM/SIGINT and everything stopped. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(sig);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export async function runServer(opts: ServerOptions): Promise<void> {
  const core = await startCore(opts);
  const { service, store, queue, metrics, logger } = core;
  const app = await buildApp(
    {
      store,
      queue,
      metrics,
      requestScan: (req) => service.requestScan(req),
      refreshAdvisories: () => service.refreshAdvisories(),
      sbom: (digest) => service.sbom(digest),
      hookSecret: opts.hookSecret,
      allowedRegistries: opts.allowedRegistries,
    },
    // Fastify builds its own pino logger from options (it needs child loggers per request)
    { logger: { level: opts.logLevel ?? 'info' }, bodyLimit: opts.bodyLimit, webRoot: opts.webRoot },
  );
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (e) {
    await stopCore(core, 0);
    throw e;
  }
  // scans a previous in-process queue lost with its process
  if (queue.backend === 'memory') {
    const lost = await store.pendingScans();
    if (lost.length > 0) logger.info({ requeued: await service.requeue(lost) }, 'requeued scans left by the last run');
  }
  // stored findings may predate the current advisory DB (a `cavas db update` while stopped)
  service.rematchIfChanged().catch((e: unknown) => logger.error({ err: describeError(e) }, 're-match at start failed'));
  // deliveries a crashed process left pending: one delivery's attempts end within 6 minutes
  // at worst (6 x 10 s timeouts + 5 x 60 s Retry-After, docs/notifications.md), so anything
  // pending for 10 is orphaned
  const resumeDeliveries = (): void => {
    store
      .exclusive('notification-resume', () => core.notifier.resume(store, RESUME_AFTER_MS))
      .catch((e: unknown) => logger.error({ err: describeError(e) }, 'resuming notifications failed'));
  };
  resumeDeliveries();
  const resumeTimer = setInterval(resumeDeliveries, RESUME_EVERY_MS);
  resumeTimer.unref();
  let refreshTimer: NodeJS.Timeout | undefined;
  if (opts.refreshIntervalMs > 0) {
    refreshTimer = setInterval(() => {
      service.refreshAdvisories().catch((e: unknown) => logger.error({ err: describeError(e) }, 'advisory refresh failed'));
    }, opts.refreshIntervalMs);
    refreshTimer.unref();
  }
  const watcher = opts.watch.length > 0 ? new RegistryWatcher({ repositories: opts.watch, intervalMs: opts.watchIntervalMs, store, requestScan: (r) => service.requestScan(r), registry: opts.registry, logger }) : undefined;
  watcher?.start();
  logger.info({ address: app.server.address(), store: store.backend, queue: queue.backend, concurrency: opts.concurrency }, 'cavas server ready');

  const signal = await untilSignal();
  logger.info({ signal }, 'shutting down: no new requests; finishing running scans');
  if (refreshTimer) clearInterval(refreshTimer);
  clearInterval(resumeTimer);
  await watcher?.stop();
  await app.close();
  await stopCore(core, opts.shutdownTimeoutMs);
  logger.info('stopped');
}

/**
 * A worker's own small HTTP endpoint: liveness, readiness (store and queue answer) and its
 * metrics (scan durations, failures), which only the worker process itself can report.
 */
async function workerEndpoint(core: Core, host: string, port: number): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await core.store.ping();
      await core.queue.depth();
      return { status: 'ready' };
    } catch (e) {
      return reply.code(503).send({ status: 'unavailable', error: { code: 'not_ready', message: describeError(e) } });
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(core.metrics.contentType).send(await core.metrics.render()));
  await app.listen({ host, port });
  return app;
}

export interface WorkerOptions extends CoreOptions {
  /** Serve /healthz, /readyz and /metrics here; port 0 serves nothing. */
  host: string;
  port: number;
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  const core = await startCore(opts);
  let http: FastifyInstance | undefined;
  try {
    if (opts.port > 0) http = await workerEndpoint(core, opts.host, opts.port);
  } catch (e) {
    await stopCore(core, 0);
    throw e;
  }
  core.logger.info({ store: core.store.backend, queue: core.queue.backend, concurrency: opts.concurrency, port: opts.port || undefined }, 'cavas worker ready');
  const signal = await untilSignal();
  core.logger.info({ signal }, 'worker shutting down: finishing running scans');
  await stopCore(core, opts.shutdownTimeoutMs);
  await http?.close();
}
