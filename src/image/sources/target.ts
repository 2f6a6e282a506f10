import { stat } from 'node:fs/promises';

/**
 * `PATH[:REF]` as skopeo writes it. Paths may hold colons themselves, so the
 * longest prefix that exists on disk is the path.
 */
export async function splitPathAndRef(target: string): Promise<{ path: string; imageRef?: string }> {
  if (await exists(target)) return { path: target };
  for (let i = target.indexOf(':'); i > 0; i = target.indexOf(':', i + 1)) {
    const path = target.slice(0, i);
    if (await exists(path)) return { path, imageRef: target.slice(i + 1) || undefined };
  }
  return { path: target };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
