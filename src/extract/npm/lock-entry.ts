import semver from 'semver';

/** One resolved package of a lock file. */
export interface LockEntry {
  name: string;
  version: string;
  /** Install path relative to the project (package-lock only): node_modules/a/node_modules/b. */
  path?: string;
  /**
   * Only needed to develop the project. undefined: the lock does not say (yarn; pnpm v9
   * packages reached from no importer).
   */
  dev?: boolean;
  license?: string;
}

/**
 * Lock files also pin git, tarball and local directory dependencies; only registry-style
 * semver versions name a release that advisories can be about.
 */
export function isRegistryVersion(version: string): boolean {
  return semver.valid(version) !== null;
}

/** `npm:real-name@1.2.3` (an alias) -> real name and version. */
export function splitAlias(spec: string): { name: string; version: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: rest.slice(0, at), version: rest.slice(at + 1) };
}

/** `@scope/name@range` or `name@range` -> [name, range]; the '@' of a scope is not a separator. */
export function splitIdent(spec: string): [string, string] | undefined {
  const at = spec.indexOf('@', 1);
  if (at <= 0) return undefined;
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/** Both mark a package dev only when every way to it is dev. */
export function combineDev(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a && b;
}
