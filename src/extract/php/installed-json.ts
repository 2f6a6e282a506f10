/**
 * Composer's record of what it installed: vendor/composer/installed.json, a bare array of
 * packages (Composer 1) or {packages: [...], dev, dev-package-names} (Composer 2).
 */
import { isRecord, parseJsonObject, str } from '../language-file.js';

export interface ComposerPackage {
  /** vendor/name */
  name: string;
  version: string;
  license?: string;
  /** Composer 2 lists the packages installed only for development; Composer 1 does not say. */
  dev?: boolean;
}

/** Tags are often "v1.2.3"; advisories name 1.2.3. */
export function composerVersion(raw: string): string {
  return /^v\d/i.test(raw) ? raw.slice(1) : raw;
}

/** Throws on a file that is not an installed.json. */
export function parseInstalledJson(text: string): ComposerPackage[] {
  const doc = parseJsonObject(text);
  let list: unknown[];
  let devNames: Set<string> | undefined;
  if (Array.isArray(doc)) list = doc;
  else if (Array.isArray(doc.packages)) {
    list = doc.packages;
    if (Array.isArray(doc['dev-package-names'])) devNames = new Set(doc['dev-package-names'].filter((n): n is string => typeof n === 'string'));
  } else throw new Error('neither a package array (Composer 1) nor an object with "packages" (Composer 2)');
  const out: ComposerPackage[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const name = str(entry.name);
    const version = str(entry.version);
    // a name is vendor/package; anything else cannot be a registry package
    if (!name || !version || name.indexOf('/') <= 0 || name.indexOf('/') !== name.lastIndexOf('/')) continue;
    const pkg: ComposerPackage = { name, version: composerVersion(version) };
    const licenses = Array.isArray(entry.license) ? entry.license.filter((l): l is string => typeof l === 'string' && l !== '') : str(entry.license) ? [entry.license as string] : [];
    // Composer: several licenses are alternatives
    if (licenses.length) pkg.license = licenses.length === 1 ? licenses[0] : `(${licenses.join(' OR ')})`;
    if (devNames) pkg.dev = devNames.has(name);
    out.push(pkg);
  }
  return out;
}
