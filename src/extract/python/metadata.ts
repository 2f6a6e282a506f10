/**
 * Core metadata of an installed distribution (PEP 566 / PEP 643): *.dist-info/METADATA,
 * *.egg-info/PKG-INFO or a bare *.egg-info file. The header block is RFC 822 style; the
 * body after the first blank line is the long description, which is not needed.
 */

export interface PythonDistFacts {
  name?: string;
  version?: string;
  license?: string;
}

/** PEP 503: lowercase, and every run of '-', '_' and '.' becomes one '-'. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Header fields in order; repeated fields (Classifier) keep every value. */
export function parseHeaders(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length) {
      out[out.length - 1]![1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

const MAX_LICENSE = 100;
const LICENSE_CLASSIFIER = 'License :: ';

/**
 * License-Expression (metadata 2.4) is SPDX; License is free text and often the whole
 * license file, so it is used only when it is short; else the trove classifiers.
 */
function licenseOf(headers: Array<[string, string]>): string | undefined {
  const get = (k: string): string | undefined => headers.find(([h]) => h === k)?.[1];
  const expression = get('license-expression');
  if (expression) return expression;
  const free = get('license');
  if (free && free !== 'UNKNOWN' && !free.includes('\n') && free.length <= MAX_LICENSE) return free;
  const classifiers = headers
    .filter(([h, v]) => h === 'classifier' && v.startsWith(LICENSE_CLASSIFIER))
    .map(([, v]) => v.slice(v.lastIndexOf('::') + 2).trim())
    .filter((v) => v !== '' && v !== 'OSI Approved');
  return classifiers.length ? classifiers.join(', ') : undefined;
}

export function pythonDistFacts(text: string): PythonDistFacts {
  const headers = parseHeaders(text);
  const facts: PythonDistFacts = {};
  const name = headers.find(([h]) => h === 'name')?.[1];
  const version = headers.find(([h]) => h === 'version')?.[1];
  const license = licenseOf(headers);
  if (name) facts.name = name;
  if (version) facts.version = version;
  if (license) facts.license = license;
  return facts;
}

/**
 * The header block ends at the first blank line; what follows (the README) can be
 * megabytes, so the claim keeps only the facts.
 */
export function reduceMetadata(_path: string, content: Buffer): Buffer {
  const blank = content.indexOf('\n\n');
  const crlf = content.indexOf('\r\n\r\n');
  const end = [blank, crlf].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), content.length);
  return Buffer.from(JSON.stringify(pythonDistFacts(content.subarray(0, end).toString('utf8'))));
}

export function readMetadataFacts(kept: Buffer): PythonDistFacts {
  try {
    const v: unknown = JSON.parse(kept.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as PythonDistFacts;
  } catch {
    // not reduced (raw metadata)
  }
  return pythonDistFacts(kept.toString('utf8'));
}
