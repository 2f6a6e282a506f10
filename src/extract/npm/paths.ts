/**
 * Where npm-family files sit. Both tests run for every file of every layer, so they
 * are plain string work on the path.
 */

export interface InstalledLocation {
  /** The project: the directory holding the outermost node_modules ('' for the image root). */
  root: string;
  /** The package's install directory, e.g. app/node_modules/a/node_modules/@s/b. */
  dir: string;
}

const NM = 'node_modules';
const PACKAGE_JSON = '/package.json';

/**
 * `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`,
 * nested to any depth only through further node_modules levels (pnpm's
 * node_modules/.pnpm/<id>/node_modules/<name> included). A package.json anywhere else
 * inside a package (test fixtures, examples) is not an installed package.
 */
export function installedLocation(path: string): InstalledLocation | undefined {
  if (!path.endsWith(PACKAGE_JSON)) return undefined;
  let first = 0;
  if (!path.startsWith('node_modules/')) {
    const at = path.indexOf('/node_modules/');
    if (at < 0) return undefined;
    first = at + 1;
  }
  const segs = path.slice(first, -PACKAGE_JSON.length).split('/');
  let i = 0;
  while (i < segs.length) {
    if (segs[i] !== NM) return undefined;
    i++;
    const seg = segs[i];
    if (seg === '.pnpm') {
      // .pnpm/<name>@<version>/node_modules/<name>: the store entry's own node_modules follows
      if (!isNamePart(segs[i + 1] ?? '', true)) return undefined;
      i += 2;
      continue;
    }
    if (seg === undefined || !isNamePart(seg, false)) return undefined;
    if (seg.startsWith('@')) {
      if (!isNamePart(segs[i + 1] ?? '', false) || segs[i + 1]!.startsWith('@')) return undefined;
      i += 2;
    } else {
      i += 1;
    }
    if (i === segs.length) return { root: first === 0 ? '' : path.slice(0, first - 1), dir: path.slice(0, -PACKAGE_JSON.length) };
  }
  return undefined;
}

function isNamePart(seg: string, storeId: boolean): boolean {
  // npm names never start with '.' or '_' (.bin, .cache, .package-lock.json are npm's own)
  if (seg === '' || seg.startsWith('.') || (!storeId && seg.startsWith('_'))) return false;
  return seg !== NM;
}

export type LockKind = 'package-lock' | 'hidden-lock' | 'yarn' | 'pnpm';

export interface LockLocation {
  kind: LockKind;
  /** Directory the lock's package paths are relative to (the project). */
  root: string;
}

const LOCK_NAMES: ReadonlyMap<string, LockKind> = new Map([
  ['package-lock.json', 'package-lock'],
  ['npm-shrinkwrap.json', 'package-lock'],
  ['yarn.lock', 'yarn'],
  ['pnpm-lock.yaml', 'pnpm'],
]);
const HIDDEN_LOCK = 'node_modules/.package-lock.json';

/**
 * A project's lock file, or npm's hidden lock file inside the project's node_modules.
 * Lock files shipped inside an installed package describe that package's development
 * tree, not anything installed here, so they are not taken.
 */
export function lockLocation(path: string): LockLocation | undefined {
  if (!(path.endsWith('lock.json') || path.endsWith('npm-shrinkwrap.json') || path.endsWith('yarn.lock') || path.endsWith('pnpm-lock.yaml'))) return undefined;
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (base === '.package-lock.json') {
    if (path !== HIDDEN_LOCK && !path.endsWith('/' + HIDDEN_LOCK)) return undefined;
    const root = path === HIDDEN_LOCK ? '' : path.slice(0, -HIDDEN_LOCK.length - 1);
    return insideNodeModules(root) ? undefined : { kind: 'hidden-lock', root };
  }
  const kind = LOCK_NAMES.get(base);
  if (!kind) return undefined;
  const root = slash < 0 ? '' : path.slice(0, slash);
  return insideNodeModules(root) ? undefined : { kind, root };
}

function insideNodeModules(dir: string): boolean {
  return dir === NM || dir.startsWith('node_modules/') || dir.includes('/node_modules/') || dir.endsWith('/node_modules');
}

/** Install directory of a lock file's package path (`node_modules/a/node_modules/b`). */
export function joinRoot(root: string, rel: string): string {
  return root === '' ? rel : `${root}/${rel}`;
}
