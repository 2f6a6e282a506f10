/**
 * Does a purl written by a person (in .cavasignore or a VEX document) cover the purl of
 * a package cavas found? Parts the pattern leaves out are wildcards: no version means
 * every version, no qualifiers means any qualifiers, and each qualifier it does give must
 * be present with the same value. Raw string prefixes would let pkg:npm/foo cover
 * pkg:npm/foobar, so the comparison is part by part.
 */
import { PackageURL } from 'packageurl-js';

export function parsePurl(s: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(s);
  } catch {
    return undefined;
  }
}

/** PyPI treats case, '-', '_' and '.' as the same in names (PEP 503). */
function normName(type: string, name: string): string {
  return type === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

export function purlCovers(pattern: PackageURL, target: PackageURL): boolean {
  const type = pattern.type.toLowerCase();
  if (type !== target.type.toLowerCase()) return false;
  if ((pattern.namespace ?? '') !== (target.namespace ?? '')) return false;
  if (normName(type, pattern.name) !== normName(type, target.name)) return false;
  if (pattern.version !== undefined && pattern.version !== '' && pattern.version !== target.version) return false;
  if (pattern.subpath && pattern.subpath !== target.subpath) return false;
  const want = pattern.qualifiers ?? {};
  const have = target.qualifiers ?? {};
  for (const [k, v] of Object.entries(want)) {
    if (have[k] !== v) return false;
  }
  return true;
}

/** String form; a pattern or target that is not a purl covers nothing. */
export function purlStringCovers(pattern: string, target: string): boolean {
  const p = parsePurl(pattern);
  const t = parsePurl(target);
  return p !== undefined && t !== undefined && purlCovers(p, t);
}
