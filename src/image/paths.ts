import { posix } from 'node:path';
import { CavasError } from '../util/errors.js';

/**
 * Normalise a tar entry name to a path relative to the image root ('etc/os-release').
 * Layers written by real tooling never hold absolute names or '..' segments, so
 * either is treated as a hostile archive instead of being silently rewritten.
 */
export function normaliseEntryPath(name: string, where: string): string {
  if (name.includes('\0')) throw new CavasError('UNSAFE_PATH', `${where}: entry name contains a NUL byte`);
  if (name.startsWith('/')) throw new CavasError('UNSAFE_PATH', `${where}: absolute entry path "${clip(name)}" (layers must hold relative paths)`);
  let p = name;
  while (p.startsWith('./')) p = p.slice(2);
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new CavasError('UNSAFE_PATH', `${where}: entry path "${clip(name)}" contains '..' and could escape the image root`);
  return parts.join('/');
}

/**
 * Resolve a symlink target against the directory holding the link, inside the
 * virtual image root. Absolute targets are rooted at the image root (as the
 * kernel does inside the container). A relative target that climbs above the
 * root cannot be produced by a sane build and is refused.
 */
export function resolveLinkTarget(linkPath: string, target: string, where: string): string {
  if (target.startsWith('/')) return normaliseAbsolute(target);
  const parts: string[] = [];
  const dir = posix.dirname('/' + linkPath).split('/').filter(Boolean);
  parts.push(...dir);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) {
        throw new CavasError('UNSAFE_PATH', `${where}: symlink "${clip(linkPath)}" -> "${clip(target)}" escapes the image root`);
      }
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

function normaliseAbsolute(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function clip(s: string): string {
  const oneLine = s.replace(/[\r\n]/g, ' ');
  return oneLine.length > 120 ? oneLine.slice(0, 117) + '...' : oneLine;
}
