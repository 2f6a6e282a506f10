/**
 * A .NET application's <app>.deps.json: `libraries` maps "Name/Version" to what it is;
 * type "package" entries came from NuGet (projects, references and runtime packs did not).
 */
import { isRecord, parseJsonObject } from '../language-file.js';

export interface NugetPackage {
  name: string;
  version: string;
}

/** Throws on a file that is not a deps.json. */
export function parseDepsJson(text: string): NugetPackage[] {
  const doc = parseJsonObject(text);
  if (!isRecord(doc)) throw new Error('not a JSON object');
  if (doc.libraries === undefined) return [];
  if (!isRecord(doc.libraries)) throw new Error('"libraries" is not an object');
  const out: NugetPackage[] = [];
  for (const [key, lib] of Object.entries(doc.libraries)) {
    if (!isRecord(lib) || lib.type !== 'package') continue;
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) continue;
    out.push({ name: key.slice(0, slash), version: key.slice(slash + 1) });
  }
  return out;
}
