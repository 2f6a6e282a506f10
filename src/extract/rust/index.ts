import type { Package } from '../../types.js';
import type { Extractor } from '../extractor.js';
import { capturedFor } from '../binary/captured.js';
import { parseCargoLock } from './cargo-lock.js';
import { cratePackage } from './packages.js';

const LOCK = 'Cargo.lock';
// crates unpacked by cargo carry their own lock files: those are not what was built here
const CARGO_CACHES = ['.cargo/registry/', '.cargo/git/'];

/** Cargo.lock files of Rust projects (the crates in built binaries come from the binary extractor). */
export const cargoLockExtractor: Extractor = {
  name: 'cargo-lock',
  maxBytes: 16 * 1024 * 1024,
  wants: (path) =>
    path.endsWith(LOCK) && (path.length === LOCK.length || path[path.length - LOCK.length - 1] === '/') && !CARGO_CACHES.some((c) => path.includes(c)),
  extract(ctx) {
    const out: Package[] = [];
    for (const file of capturedFor(ctx.fs, cargoLockExtractor)) {
      const lock = parseCargoLock(file.content.toString('utf8'));
      if (lock.incomplete > 0) ctx.warnings.push(`${file.path}: ${lock.incomplete} [[package]] entries without name or version were skipped`);
      for (const c of lock.crates) {
        if (c.source !== undefined) out.push(cratePackage(c.name, c.version, file.path, file.layer));
      }
    }
    return out;
  },
};
