/** Settings both queue backends share, and the small helpers they both need. */
import { CavasError } from '../../util/errors.js';

export interface QueueOptions {
  /** Deliveries of a job whose handler keeps failing before it is given up (default 3). */
  attempts?: number;
  /** Wait before the second delivery of a failed job, doubled before each later one (default 1000 ms). */
  backoffMs?: number;
  /**
   * Where problems that no caller awaits are told: a job given up, a lost Redis connection.
   * Default: one line on stderr, an identical line at most every 30 s (a Redis that is down
   * would otherwise repeat itself on every reconnect).
   */
  onError?: (message: string) => void;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

export function stderrSink(): (message: string) => void {
  let last = '';
  let lastAt = 0;
  return (message) => {
    const now = Date.now();
    if (message === last && now - lastAt < 30_000) return;
    last = message;
    lastAt = now;
    process.stderr.write(`cavas queue: ${message}\n`);
  };
}

export function positiveInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new CavasError('USAGE', `${what} must be a whole number of at least 1, got ${value}`);
  return value;
}

/** Resolves true once `idle()` holds, false when the deadline passes first; re-checked on each poke and every `pollMs`. */
export async function waitUntil(idle: () => boolean | Promise<boolean>, timeoutMs: number, pollMs: number, poke?: Set<() => void>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await idle()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        poke?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(pollMs, left));
      poke?.add(done);
    });
  }
}
