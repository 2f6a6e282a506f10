/** Shared checks for the bad-input tests: error shape, no hang, nothing written outside the test's temp dir. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CavasError, type ErrorCode } from '../../src/util/errors.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CORPUS = process.env.CAVAS_CORPUS ?? resolve(root, '..', 'shared', 'corpus');
export const IMAGES = join(CORPUS, 'images');

export const HANG_MS = 20_000;

/** Reject if `p` has not settled after `ms`: a hang must fail the test, not stall the run. */
export async function withTimeout<T>(p: Promise<T>, ms = HANG_MS, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (hang?)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Await a rejection and check it is the user-facing kind: a CavasError with
 * `code`, a single line, short enough to read, naming every string in `names`.
 */
export async function expectCavasError(p: Promise<unknown>, code: ErrorCode, names: string[], what = 'inventoryImage'): Promise<CavasError> {
  let err: unknown;
  try {
    await withTimeout(p, HANG_MS, what);
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `${what} succeeded; expected ${code}`);
  assert.ok(err instanceof CavasError, `expected a CavasError, got ${String((err as Error)?.stack ?? err)}`);
  assert.equal(err.code, code, `wrong code for: ${err.message}`);
  assert.doesNotMatch(err.message, /[\r\n]/, 'message must be one line');
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f]/, 'message must not carry control bytes (terminal escapes) from the input');
  assert.ok(err.message.length <= 400, `message too long (${err.message.length} chars): ${err.message}`);
  for (const n of names) assert.ok(err.message.includes(n), `message should name ${JSON.stringify(n)}: ${err.message}`);
  return err;
}

/** Recursive listing of a directory (relative paths, sorted); symlinks listed, not followed. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      out.push(p);
      if (d.isDirectory()) walk(p);
    }
  };
  walk('');
  return out.sort();
}

function listTop(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * A temp root for one test file, one fresh case dir per test. `guard` runs the
 * code under test (build fixtures before calling it) and proves it wrote nothing: the whole temp root (its other cases
 * included) and the working directory list the same before and after, and the
 * traversal marker shows up nowhere a naive extractor would have put it.
 */
export class Workspace {
  readonly root: string;
  private n = 0;
  constructor(prefix: string) {
    // nested one level so that the dir we compare belongs to this test file alone
    this.root = join(mkdtempSync(join(tmpdir(), `cavas-${prefix}-`)), 'work');
    mkdirSync(this.root);
  }
  caseDir(): string {
    const d = join(this.root, `case-${++this.n}`);
    mkdirSync(d);
    return d;
  }
  async guard<T>(fn: () => Promise<T>, markers: string[] = []): Promise<T> {
    const cwd = process.cwd();
    const before = { tree: listTree(dirname(this.root)), cwd: listTop(cwd), cwdParent: listTop(dirname(cwd)) };
    const result = await fn();
    assert.deepEqual(listTree(dirname(this.root)), before.tree, 'files appeared or vanished in the test temp dir');
    assert.deepEqual(listTop(cwd), before.cwd, 'files appeared or vanished in the working directory');
    assert.deepEqual(listTop(dirname(cwd)), before.cwdParent, 'files appeared or vanished next to the working directory');
    const places = [this.root, dirname(this.root), tmpdir(), cwd, dirname(cwd), '/tmp', '/etc', '/'];
    for (const m of markers) {
      for (const place of places) assert.ok(!existsSync(join(place, m)), `${join(place, m)} appeared`);
    }
    return result;
  }
  cleanup(): void {
    rmSync(dirname(this.root), { recursive: true, force: true });
  }
}

/** Largest rss growth (bytes) seen while `fn` runs, sampled every few ms. */
export async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  let result: T | undefined;
  let error: unknown;
  try {
    result = await fn();
  } catch (e) {
    error = e;
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  return { result, error, growth: peak - base };
}
