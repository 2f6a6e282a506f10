/**
 * Where cavas keeps downloaded data (the advisory database). One directory, so a user can
 * delete it or point it elsewhere (--cache-dir, CAVAS_CACHE_DIR) for CI caches.
 */
import os from 'node:os';
import path from 'node:path';

/** --cache-dir flag, else CAVAS_CACHE_DIR, else $XDG_CACHE_HOME/cavas, else ~/.cache/cavas. */
export function resolveCacheDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  const fromEnv = env.CAVAS_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'cavas');
}

export function advisoryDbPath(cacheDir: string): string {
  return path.join(cacheDir, 'db', 'advisories.db');
}
