/**
 * Where the web UI's static files are: `public/` next to this compiled module. The build
 * copies src/web/public there (scripts/copy-web.mjs), so dist/web/public ships with the
 * package and `cavas server` passes this path to buildApp as opts.webRoot.
 */
import { fileURLToPath } from 'node:url';

export function webRoot(): string {
  return fileURLToPath(new URL('./public', import.meta.url));
}
