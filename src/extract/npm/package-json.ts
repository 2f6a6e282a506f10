/**
 * An installed package's package.json, boiled down while the layer is read to the
 * few fields the inventory needs: node_modules trees hold thousands of these.
 */
import { isRecord, parseJsonObject, reason, str } from '../language-file.js';

export interface PackageJsonFacts {
  name?: string;
  version?: string;
  license?: string;
  /** Set instead of the rest when the file is not a JSON object. */
  error?: string;
}

/** `license` is an SPDX string; old packages use {type} or `licenses: [{type}]`. */
function licenseOf(doc: Record<string, unknown>): string | undefined {
  const one = doc.license;
  if (typeof one === 'string') return str(one);
  if (isRecord(one)) return str(one.type);
  if (Array.isArray(doc.licenses)) {
    const types = doc.licenses.map((l) => (isRecord(l) ? str(l.type) : str(l))).filter((t): t is string => t !== undefined);
    if (types.length) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return undefined;
}

export function packageJsonFacts(text: string): PackageJsonFacts {
  let doc: ReturnType<typeof parseJsonObject>;
  try {
    doc = parseJsonObject(text);
  } catch (e) {
    return { error: `not valid JSON (${reason(e)})` };
  }
  if (!isRecord(doc)) return { error: 'not a JSON object' };
  const facts: PackageJsonFacts = {};
  const name = str(doc.name);
  const version = str(doc.version);
  const license = licenseOf(doc);
  if (name) facts.name = name;
  if (version) facts.version = version;
  if (license) facts.license = license;
  return facts;
}

/** The claim's `reduce`: what is kept (and cached) instead of the file. */
export function reducePackageJson(_path: string, content: Buffer): Buffer {
  return Buffer.from(JSON.stringify(packageJsonFacts(content.toString('utf8'))));
}

/**
 * Read back what reducePackageJson kept. The kept form is itself package.json-shaped, so
 * an unreduced file reads the same way.
 */
export function readPackageJsonFacts(kept: Buffer): PackageJsonFacts {
  const text = kept.toString('utf8');
  const facts = packageJsonFacts(text);
  if (facts.error || facts.name) return facts;
  const doc = JSON.parse(text) as Record<string, unknown>;
  return typeof doc.error === 'string' ? { error: doc.error } : facts;
}
