/**
 * Prometheus metrics of one server or worker process. A Registry of its own (not
 * prom-client's global one) so tests and several apps in one process do not share series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueDepth } from './queue/queue.js';

/** How a scan job ended: pulled and stored, failed, or answered from a stored inventory. */
export type ScanOutcome = 'done' | 'failed' | 'reused';

/** What POST /hooks/registry did with one event. */
export type HookOutcome = 'scanned' | 'reused' | 'ignored' | 'rejected';

export type QueueDepthSource = () => Promise<QueueDepth>;

export class ServerMetrics {
  readonly registry: Registry;
  private readonly scanDuration: Histogram<'outcome'>;
  private readonly queueDepth: Gauge<'state'>;
  private readonly rematchDuration: Histogram;
  private readonly rematchInventories: Counter;
  private readonly notificationFailures: Counter;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly hookEvents: Counter<'outcome'>;
  private depthSource: QueueDepthSource | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'cavas_' });
    const registers = [this.registry];

    this.scanDuration = new Histogram({
      name: 'cavas_scan_duration_seconds',
      help: 'Time to scan one image, from job start to stored result.',
      labelNames: ['outcome'],
      // Scans range from a reused inventory (milliseconds) to a large pull (minutes).
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.queueDepth = new Gauge({
      name: 'cavas_queue_depth',
      help: 'Scan jobs in the queue, by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        if (!self.depthSource) return;
        try {
          const d = await self.depthSource();
          this.set({ state: 'waiting' }, d.waiting);
          this.set({ state: 'active' }, d.active);
          this.set({ state: 'failed' }, d.failed);
        } catch {
          // A queue that cannot answer must not fail the whole scrape, nor report stale numbers.
          this.reset();
        }
      },
    });
    this.rematchDuration = new Histogram({
      name: 'cavas_rematch_duration_seconds',
      help: 'Time to re-match every stored inventory after an advisory DB update.',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.rematchInventories = new Counter({
      name: 'cavas_rematch_inventories_total',
      help: 'Inventories re-matched against a new advisory DB.',
      registers,
    });
    this.notificationFailures = new Counter({
      name: 'cavas_notification_failures_total',
      help: 'Notification deliveries that failed (each failed attempt).',
      registers,
    });
    this.httpRequests = new Counter({
      name: 'cavas_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.hookEvents = new Counter({
      name: 'cavas_hook_events_total',
      help: 'Registry notification events received, by what was done with them.',
      labelNames: ['outcome'],
      registers,
    });
  }

  /** The gauge cavas_queue_depth asks this at every scrape. */
  setQueueDepthSource(fn: QueueDepthSource | undefined): void {
    this.depthSource = fn;
  }

  observeScan(seconds: number, outcome: ScanOutcome): void {
    this.scanDuration.observe({ outcome }, seconds);
  }

  /** One re-match run: how long it took and how many inventories it went through. */
  observeRematch(seconds: number, inventories: number): void {
    this.rematchDuration.observe(seconds);
    if (inventories > 0) this.rematchInventories.inc(inventories);
  }

  notificationFailed(count = 1): void {
    this.notificationFailures.inc(count);
  }

  /** `route` is the route pattern (/api/images/:id), never the raw URL, to bound the series. */
  httpRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }

  hookEvent(outcome: HookOutcome, count = 1): void {
    if (count > 0) this.hookEvents.inc({ outcome }, count);
  }

  /** The Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
