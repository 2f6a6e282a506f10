/**
 * Turns stored events into notifications: one delivery per subscription and image,
 * recorded in the store, POSTed with retries. Each subscription has its own small
 * concurrency limit, so a slow or dead receiver only delays its own deliveries.
 *
 * Retries: network errors, timeouts, 429 and 5xx are retried (Retry-After honoured up to
 * a cap, else exponential backoff with jitter); other statuses, redirects included, fail
 * at once. The secret signs bodies and is never logged, stored in errors or returned; the
 * URL is logged by origin only (a Slack webhook URL is itself a credential).
 */
import { CAVAS_VERSION } from '../../util/version.js';
import type { EventRecord, ImageRecord, Subscription } from '../model.js';
import type { Store } from '../store/store.js';
import { NOTIFY_EVENT_TYPES } from './events.js';
import { matchesRepository, selectEvents, type Selection } from './filter.js';
import { buildNotification, buildSlackPayload, type NotificationImage } from './payload.js';
import { notificationHeaders } from './sign.js';

export { validateSubscription } from './subscription.js';

export type NotifierStore = Pick<Store, 'listSubscriptions' | 'addDelivery' | 'updateDelivery' | 'imagesByDigest'>;

/** What resume() reads besides: deliveries left pending and their events. */
export type ResumeStore = Pick<Store, 'listDeliveries' | 'eventsByIds'>;

/** The subset of a pino/fastify logger used here. */
export interface NotifyLogger {
  warn(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface NotifierOptions {
  /** Retries after the first attempt (default 5: at most 6 attempts). */
  retries?: number;
  /** Wait before the first retry; doubles per retry, with jitter (default 1000). */
  backoffMs?: number;
  /** Longest backoff between two attempts (default 60000). */
  maxBackoffMs?: number;
  /** Longest wait a receiver's Retry-After can ask for (default 60000). */
  maxRetryAfterMs?: number;
  /** One attempt, response body included (default 10000). */
  timeoutMs?: number;
  /** Deliveries in flight at once per subscription (default 4). */
  concurrency?: number;
  fetch?: typeof fetch;
  /** Called once per failed attempt (metrics); must not throw. */
  onFailure?: (err: DeliveryError) => void;
  logger?: NotifyLogger;
  /** Tests: a fixed clock and jitter source. */
  now?: () => Date;
  random?: () => number;
}

/** One failed attempt. The message is the delivery's lastError: no URL, no secret. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly subscriptionId: number,
    readonly deliveryId: number,
    readonly attempt: number,
    /** The HTTP status, when the receiver answered. */
    readonly status: number | undefined,
    /** No more attempts will be made. */
    readonly final: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

type AttemptResult = { ok: true; status: number } | { ok: false; status?: number; retryable: boolean; error: string; retryAfterMs?: number };

const TYPES: ReadonlySet<string> = new Set(NOTIFY_EVENT_TYPES);
const ERROR_SNIPPET = 200;

export class Notifier {
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly stopping = new AbortController();
  private readonly tracked = new Set<Promise<unknown>>();
  private readonly slots = new Map<number, { active: number; waiting: Array<() => void> }>();
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly store: NotifierStore,
    private readonly opts: NotifierOptions = {},
  ) {
    this.retries = nonNegative(opts.retries, 5);
    this.backoffMs = nonNegative(opts.backoffMs, 1000);
    this.maxBackoffMs = nonNegative(opts.maxBackoffMs, 60_000);
    this.maxRetryAfterMs = nonNegative(opts.maxRetryAfterMs, 60_000);
    this.timeoutMs = Math.max(1, nonNegative(opts.timeoutMs, 10_000));
    this.concurrency = Math.max(1, nonNegative(opts.concurrency, 4));
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
  }

  /**
   * Deliver what `events` mean to every subscription that wants it. Resolves when every
   * delivery is finished (delivered, or failed after its retries); never rejects: failures
   * are recorded on the delivery, logged and reported to onFailure.
   */
  async notify(events: EventRecord[]): Promise<void> {
    if (this.closed) {
      this.opts.logger?.warn({ events: events.length }, 'notifier closed: events not delivered');
      return;
    }
    const relevant = events.filter((e) => e.digest && TYPES.has(e.type));
    if (relevant.length === 0) return;
    await this.track(this.run(relevant));
  }

  /**
   * Deliveries a process left `pending` when it died: sent again under the same delivery id
   * (X-Cavas-Delivery), so a receiver that got the first attempt can tell. Only deliveries
   * older than `olderThanMs` are taken, which must exceed one delivery's whole retry schedule,
   * so a delivery another live process is still retrying is left alone. Returns how many.
   */
  async resume(store: ResumeStore, olderThanMs: number, limit = 500): Promise<number> {
    if (this.closed) return 0;
    const createdBefore = new Date(this.now().getTime() - olderThanMs).toISOString();
    const stale = await store.listDeliveries({ status: 'pending', createdBefore, limit });
    if (stale.length === 0) return 0;
    const subs = new Map((await this.store.listSubscriptions()).map((s) => [s.id, s]));
    const runs: Array<Promise<void>> = [];
    for (const d of stale) {
      const sub = subs.get(d.subscriptionId);
      if (!sub) {
        await this.update(d.id, { status: 'failed', lastError: 'the subscription was deleted before the delivery was sent' });
        continue;
      }
      const events = await store.eventsByIds(d.eventIds);
      const digest = events.find((e) => e.digest)?.digest;
      const target = digest ? targets(digest, events, await this.store.imagesByDigest(digest)).find((t) => matchesRepository(sub.repositoryPattern, t.image)) : undefined;
      const selection = target ? selectEvents(sub, target.events) : undefined;
      if (!target || !selection) {
        await this.update(d.id, { status: 'failed', lastError: 'nothing left to send: its events or image are gone' });
        continue;
      }
      runs.push(this.redeliver(sub, target.image, selection, d.id));
    }
    if (runs.length > 0) this.opts.logger?.info?.({ deliveries: runs.length }, 'notifications: resending deliveries left pending');
    await this.track(Promise.all(runs));
    return runs.length;
  }

  private async redeliver(sub: Subscription, image: NotificationImage, selection: Selection, deliveryId: number): Promise<void> {
    this.inFlight++;
    try {
      await this.withSlot(sub.id, () => this.attempts(sub, image, selection, deliveryId));
    } finally {
      this.inFlight--;
    }
  }

  /** Deliveries recorded and not yet finished (waiting, in flight or between retries). */
  pending(): number {
    return this.inFlight;
  }

  /**
   * Take no new events and wait for the deliveries in progress. With a timeout, what is
   * still running then is cut short and recorded as failed.
   */
  async close(timeoutMs?: number): Promise<void> {
    this.closed = true;
    if (timeoutMs === undefined) return this.settle();
    let timer: NodeJS.Timeout | undefined;
    const expired = await Promise.race([
      this.settle().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (expired) {
      this.stopping.abort();
      await this.settle();
    }
  }

  private async settle(): Promise<void> {
    while (this.tracked.size > 0) await Promise.allSettled([...this.tracked]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.tracked.add(p);
    void p.finally(() => this.tracked.delete(p)).catch(() => {});
    return p;
  }

  private async run(events: EventRecord[]): Promise<void> {
    const log = this.opts.logger;
    let subs: Subscription[];
    try {
      subs = await this.store.listSubscriptions();
    } catch (e) {
      log?.warn({ err: errorText(e) }, 'notifications: cannot list subscriptions');
      return;
    }
    if (subs.length === 0) return;
    const byDigest = new Map<string, EventRecord[]>();
    for (const e of events) {
      const list = byDigest.get(e.digest!) ?? [];
      list.push(e);
      byDigest.set(e.digest!, list);
    }
    const deliveries: Array<Promise<void>> = [];
    await Promise.all(
      [...byDigest].map(async ([digest, evs]) => {
        let images: ImageRecord[];
        try {
          images = await this.store.imagesByDigest(digest);
        } catch (e) {
          log?.warn({ digest, err: errorText(e) }, 'notifications: cannot look up images');
          return;
        }
        const found = targets(digest, evs, images);
        if (found.length === 0) log?.debug?.({ digest }, 'notifications: no image for digest');
        for (const t of found) {
          for (const sub of subs) {
            if (!matchesRepository(sub.repositoryPattern, t.image)) continue;
            const selection = selectEvents(sub, t.events);
            if (selection) deliveries.push(this.deliver(sub, t.image, selection));
          }
        }
      }),
    );
    await Promise.all(deliveries);
  }

  private async deliver(sub: Subscription, image: NotificationImage, selection: Selection): Promise<void> {
    this.inFlight++;
    try {
      let deliveryId: number;
      try {
        const rec = await this.store.addDelivery({ subscriptionId: sub.id, eventIds: selection.eventIds, status: 'pending', attempts: 0, createdAt: this.now().toISOString() });
        deliveryId = rec.id;
      } catch (e) {
        this.opts.logger?.warn({ subscriptionId: sub.id, err: errorText(e) }, 'notifications: cannot record delivery');
        return;
      }
      await this.withSlot(sub.id, () => this.attempts(sub, image, selection, deliveryId));
    } finally {
      this.inFlight--;
    }
  }

  private async attempts(sub: Subscription, image: NotificationImage, selection: Selection, deliveryId: number): Promise<void> {
    const log = this.opts.logger;
    const ctx = { subscriptionId: sub.id, deliveryId, receiver: origin(sub.url) };
    for (let attempt = 1; ; attempt++) {
      if (this.stopping.signal.aborted) {
        await this.update(deliveryId, { status: 'failed', attempts: attempt - 1, lastError: 'notifier closed before the delivery was sent' });
        return;
      }
      const sentAt = this.now();
      const payload = buildNotification({ id: String(deliveryId), sentAt: sentAt.toISOString(), image, selection });
      const body = JSON.stringify(sub.kind === 'slack' ? buildSlackPayload(payload) : payload);
      const headers = {
        'content-type': 'application/json',
        'user-agent': `cavas/${CAVAS_VERSION}`,
        ...notificationHeaders(body, { deliveryId: String(deliveryId), sentAt, secret: sub.secret }),
      };
      const r = await this.post(sub.url, body, headers);
      if (r.ok) {
        await this.update(deliveryId, { status: 'delivered', attempts: attempt, responseStatus: r.status, deliveredAt: this.now().toISOString() });
        log?.debug?.({ ...ctx, attempt, status: r.status }, 'notification delivered');
        return;
      }
      const error = scrub(r.error, sub);
      const final = !r.retryable || attempt > this.retries || this.stopping.signal.aborted;
      const status = r.status;
      await this.update(deliveryId, { attempts: attempt, ...(status !== undefined ? { responseStatus: status } : {}), lastError: error, ...(final ? { status: 'failed' as const } : {}) });
      log?.warn({ ...ctx, attempt, status, err: error, final }, final ? 'notification failed' : 'notification attempt failed, will retry');
      this.failed(new DeliveryError(error, sub.id, deliveryId, attempt, status, final));
      if (final) return;
      const wait = r.retryAfterMs !== undefined ? Math.min(r.retryAfterMs, this.maxRetryAfterMs) : this.backoff(attempt);
      if (!(await sleep(wait, this.stopping.signal))) {
        await this.update(deliveryId, { status: 'failed', lastError: `${error} (notifier closed before the next attempt)` });
        return;
      }
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopping.signal]);
    try {
      // a redirect would turn the POST into a GET elsewhere, or reach a host nobody approved
      const res = await this.fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => {});
        return { ok: true, status: res.status };
      }
      const snippet = await readSnippet(res);
      const retryable = res.status === 429 || res.status >= 500;
      const retryAfterMs = retryable ? parseRetryAfter(res.headers.get('retry-after'), this.now()) : undefined;
      const what = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
      return { ok: false, status: res.status, retryable, error: `HTTP ${res.status}${what}${snippet ? `: ${snippet}` : ''}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    } catch (e) {
      if (this.stopping.signal.aborted) return { ok: false, retryable: false, error: 'notifier closed during the request' };
      if (e instanceof Error && e.name === 'TimeoutError') return { ok: false, retryable: true, error: `no response within ${this.timeoutMs} ms` };
      return { ok: false, retryable: true, error: networkError(e) };
    }
  }

  /** base·2^(n-1), capped, then a random point in its upper half so retries of many deliveries spread out. */
  private backoff(attempt: number): number {
    const d = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  private async withSlot<T>(subscriptionId: number, fn: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(subscriptionId);
    if (!slot) {
      slot = { active: 0, waiting: [] };
      this.slots.set(subscriptionId, slot);
    }
    if (slot.active >= this.concurrency) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active++;
    try {
      return await fn();
    } finally {
      // hand the slot straight to the next waiter, so the count never dips and refills
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) this.slots.delete(subscriptionId);
    }
  }

  private async update(id: number, patch: Parameters<NotifierStore['updateDelivery']>[1]): Promise<void> {
    try {
      await this.store.updateDelivery(id, patch);
    } catch (e) {
      this.opts.logger?.warn({ deliveryId: id, err: errorText(e) }, 'notifications: cannot update delivery');
    }
  }

  private failed(err: DeliveryError): void {
    try {
      this.opts.onFailure?.(err);
    } catch {
      // a metrics hook must not break deliveries
    }
  }
}

/**
 * The images a digest's events are about. Findings belong to the inventory, which every
 * image with that digest shares, so finding events go to all of them; an image.scanned
 * event goes to the image it names. An image the store does not know (yet) is taken
 * from the events, without tags.
 */
function targets(digest: string, events: EventRecord[], images: ImageRecord[]): Array<{ image: NotificationImage; events: EventRecord[] }> {
  const out = images.map((i) => ({ image: { registry: i.registry, repository: i.repository, digest, tags: [...i.tags] }, events: [] as EventRecord[] }));
  const find = (registry: string, repository: string) => out.find((t) => t.image.registry === registry && t.image.repository === repository);
  const add = (registry: string, repository: string) => {
    const t = { image: { registry, repository, digest, tags: [] }, events: [] as EventRecord[] };
    out.push(t);
    return t;
  };
  for (const e of events) if (e.type === 'image.scanned' && e.registry && e.repository && !find(e.registry, e.repository)) add(e.registry, e.repository);
  if (out.length === 0) {
    const named = events.find((e) => e.registry && e.repository);
    if (named) add(named.registry!, named.repository!);
  }
  for (const e of events) {
    if (e.type === 'image.scanned' && e.registry && e.repository) find(e.registry, e.repository)!.events.push(e);
    else for (const t of out) t.events.push(e);
  }
  return out.filter((t) => t.events.length > 0);
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** The first bytes of an error response, one line, for lastError; the rest is discarded. */
async function readSnippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // a body cut short still leaves the status to report
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\uFFFD+$/, '');
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > ERROR_SNIPPET ? `${line.slice(0, ERROR_SNIPPET)}…` : line;
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, TLS) is in its cause. */
function networkError(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown; errors?: unknown } | undefined) : undefined;
  let detail = '';
  if (cause && typeof cause === 'object') {
    const first = Array.isArray(cause.errors) ? (cause.errors[0] as { message?: unknown } | undefined) : undefined;
    const message = typeof cause.message === 'string' && cause.message ? cause.message : typeof first?.message === 'string' ? first.message : '';
    const code = typeof cause.code === 'string' ? cause.code : '';
    detail = message.includes(code) ? message : `${code} ${message}`.trim();
  }
  return detail ? `request failed: ${detail}` : `request failed: ${errorText(e)}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e).split('\n')[0]!;
}

/** Belt and braces: no error text leaves here holding the secret or the full URL. */
function scrub(text: string, sub: Subscription): string {
  let out = text;
  if (sub.secret) out = out.split(sub.secret).join('***');
  out = out.split(sub.url).join(origin(sub.url));
  return out;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

/** Resolves true after ms, false at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function nonNegative(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}
