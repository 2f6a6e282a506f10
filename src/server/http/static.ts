/**
 * The web UI's files, served from one directory: `/` is its index.html and `/ui/<path>`
 * its other files. A URL can only ever name a regular file inside the directory: no
 * `..`, no dot files, no symlink out of it.
 */
import { open, realpath } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Web assets are small; a bigger file in the directory is a mistake, not something to stream. */
const MAX_ASSET_BYTES = 16 * 1024 * 1024;

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file `urlPath` (already percent-decoded, relative to the root) names, or undefined
 * when it does not name a servable file. Never throws for hostile input.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  // eslint-disable-next-line no-control-regex
  if (urlPath.length > 1024 || /[\u0000-\u001f\\]/.test(urlPath)) return undefined;
  const segments = urlPath.split('/').filter((s) => s !== '');
  if (segments.length === 0) return undefined;
  // `..` would climb; dot files (.env, .git) are never part of the UI.
  if (segments.some((s) => s.startsWith('.'))) return undefined;

  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return undefined;
  }
  let file: string;
  try {
    file = await realpath(join(realRoot, ...segments));
  } catch {
    return undefined;
  }
  // A symlink inside the directory may point anywhere: judge where it really leads.
  const rel = relative(realRoot, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;

  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_ASSET_BYTES) return undefined;
    return { body: await handle.readFile(), contentType: contentTypeOf(file) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
