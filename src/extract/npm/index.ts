/**
 * npm-family packages: what is installed (node_modules/.../package.json) and what lock
 * files pin (package-lock.json v1-v3, npm-shrinkwrap.json, yarn.lock v1 and berry,
 * pnpm-lock.yaml v5-v9).
 *
 * Rules (see docs/matching.md for how `dev` is used):
 * - Every installed package.json is one package, found at its install directory.
 * - A project's own package.json (outside node_modules, e.g. /app/package.json) is not
 *   reported: it is the application being scanned, not a dependency, and a private app
 *   has no advisories (Trivy lists it as the root; cavas does not).
 * - Where a project has an installed tree, that tree is the truth: its lock files only
 *   say which installed packages are dev-only (package-lock by install path, yarn/pnpm by
 *   name@version); lock entries that are not installed (omitted dev dependencies, pruned
 *   packages) are not in the image and are not reported.
 * - Where a project has no installed tree (yarn PnP, a lock copied without node_modules),
 *   the lock's packages are reported once per name@version per project.
 * - npm's hidden node_modules/.package-lock.json only ever adds dev flags.
 */
import type { CapturedFile } from '../../image/filesystem.js';
import type { Package } from '../../types.js';
import type { ExtractContext, Extractor } from '../extractor.js';
import { languagePurl, reason, visibleCaptures, warnFile } from '../language-file.js';
import { combineDev, type LockEntry } from './lock-entry.js';
import { parsePackageLock } from './package-lock.js';
import { readPackageJsonFacts, reducePackageJson } from './package-json.js';
import { installedLocation, joinRoot, lockLocation, type LockKind } from './paths.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

const MiB = 1024 * 1024;

export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0 ? languagePurl('npm', name.slice(0, slash), name.slice(slash + 1), version) : languagePurl('npm', undefined, name, version);
}

interface Installed {
  pkg: Package;
  root: string;
  dir: string;
}

const PARSERS: Record<LockKind, { label: string; parse: (text: string) => LockEntry[] }> = {
  'package-lock': { label: 'npm lock file', parse: parsePackageLock },
  'hidden-lock': { label: 'npm lock file', parse: parsePackageLock },
  yarn: { label: 'yarn lock file', parse: parseYarnLock },
  pnpm: { label: 'pnpm lock file', parse: parsePnpmLock },
};

function toPackage(name: string, version: string, file: CapturedFile, license?: string, dev?: boolean): Package {
  const pkg: Package = { ecosystem: 'npm', name, version, purl: npmPurl(name, version), layer: file.layer, paths: [file.path] };
  if (license) pkg.license = license;
  if (dev !== undefined) pkg.dev = dev;
  return pkg;
}

function readInstalled(ctx: ExtractContext): Installed[] {
  const out: Installed[] = [];
  for (const file of visibleCaptures(ctx, npmPackageJsonClaim)) {
    const loc = installedLocation(file.path);
    if (!loc) continue;
    const facts = readPackageJsonFacts(file.content);
    if (facts.error) {
      warnFile(ctx, file, `${facts.error}; package not listed`);
      continue;
    }
    if (!facts.name || !facts.version) {
      warnFile(ctx, file, `no ${facts.name ? 'version' : 'name'}; package not listed`);
      continue;
    }
    try {
      out.push({ pkg: toPackage(facts.name, facts.version, file, facts.license), root: loc.root, dir: loc.dir });
    } catch (e) {
      warnFile(ctx, file, `unusable package name ${JSON.stringify(facts.name)} (${reason(e)})`);
    }
  }
  return out;
}

function setDev(pkg: Package, dev: boolean | undefined): void {
  const merged = combineDev(pkg.dev, dev);
  if (merged !== undefined) pkg.dev = merged;
}

function extractNpm(ctx: ExtractContext): Package[] {
  const installed = readInstalled(ctx);
  const byDir = new Map(installed.map((i) => [i.dir, i]));
  const byId = new Map<string, Installed[]>();
  for (const i of installed) {
    const id = `${i.pkg.name}@${i.pkg.version}`;
    byId.set(id, [...(byId.get(id) ?? []), i]);
  }
  const roots = new Set(installed.map((i) => i.root));
  const lockOnly = new Map<string, Package>();

  for (const file of visibleCaptures(ctx, npmExtractor)) {
    const loc = lockLocation(file.path);
    if (!loc) continue;
    const { label, parse } = PARSERS[loc.kind];
    let entries: LockEntry[];
    try {
      entries = parse(file.content.toString('utf8'));
    } catch (e) {
      warnFile(ctx, file, `not a valid ${label} (${reason(e)}); its packages are not listed`);
      continue;
    }
    const installedHere = roots.has(loc.root) || entries.some((e) => e.path !== undefined && byDir.has(joinRoot(loc.root, e.path)));
    if (installedHere) {
      for (const e of entries) {
        if (e.dev === undefined) continue;
        const targets =
          e.path !== undefined
            ? [byDir.get(joinRoot(loc.root, e.path))]
            : (byId.get(`${e.name}@${e.version}`) ?? []).filter((i) => i.root === loc.root);
        for (const t of targets) if (t && t.pkg.name === e.name && t.pkg.version === e.version) setDev(t.pkg, e.dev);
      }
      continue;
    }
    if (loc.kind === 'hidden-lock') continue;
    const under = loc.root === '' ? '' : `${loc.root}/`;
    for (const e of entries) {
      const id = `${e.name}@${e.version}`;
      // yarn's unplugged packages and the like are installed beside the lock, not in node_modules
      if (byId.get(id)?.some((i) => i.dir.startsWith(under))) continue;
      const key = `${loc.root}\0${id}`;
      const prior = lockOnly.get(key);
      if (prior) {
        setDev(prior, e.dev);
        if (!prior.paths.includes(file.path)) prior.paths.push(file.path);
        continue;
      }
      try {
        lockOnly.set(key, toPackage(e.name, e.version, file, e.license, e.dev));
      } catch (err) {
        warnFile(ctx, file, `unusable package name ${JSON.stringify(e.name)} (${reason(err)})`);
      }
    }
  }
  return [...installed.map((i) => i.pkg), ...lockOnly.values()];
}

/** Installed packages' package.json; read by npmExtractor. Only name, version and license are kept. */
export const npmPackageJsonClaim: Extractor = {
  name: 'npm-package',
  maxBytes: 1 * MiB,
  wants: (path) => installedLocation(path) !== undefined,
  reduce: reducePackageJson,
  extract: () => [],
};

/** Lock files, and the whole npm extraction. */
export const npmExtractor: Extractor = {
  name: 'npm',
  maxBytes: 64 * MiB,
  wants: (path) => lockLocation(path) !== undefined,
  extract: extractNpm,
};

/** Both claims; register these. */
export const npmExtractors: readonly Extractor[] = [npmPackageJsonClaim, npmExtractor];
