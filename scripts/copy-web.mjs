// Copy the web UI (plain files, no build step) next to the compiled src/web/index.js, where
// webRoot() looks for it: src/web/public -> dist/web/public. The target is replaced so a file
// deleted from the source does not linger in the package. Dot files are never copied.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'web', 'public');
const to = join(root, 'dist', 'web', 'public');

if (!existsSync(join(from, 'index.html'))) {
  console.error(`copy-web: ${from}/index.html not found`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, {
  recursive: true,
  dereference: true,
  filter: (src) => src === from || !basename(src).startsWith('.'),
});
