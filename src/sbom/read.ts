/**
 * Reads an SBOM file for `cavas scan sbom:FILE`: CycloneDX or SPDX JSON, told apart by
 * content rather than by file name (tools name their output anything).
 */
import { open } from 'node:fs/promises';
import { CavasError, describeError } from '../util/errors.js';
import { readCycloneDx } from './cyclonedx-input.js';
import type { SbomInput } from './input.js';
import { isObject, str, type JsonObject } from './json.js';
import { readSpdx } from './spdx-input.js';

export type { SbomInput } from './input.js';

/** The largest SBOM read: far above any real image's (a few MB), far below what would exhaust memory. */
export const MAX_SBOM_BYTES = 256 * 1024 * 1024;

export type SbomFormat = 'cyclonedx' | 'spdx';

export interface ReadSbomOptions {
  /** The image ref the result carries; default `sbom:<file>`. */
  ref?: string;
  maxBytes?: number;
}

export async function readSbom(file: string, opts: ReadSbomOptions = {}): Promise<SbomInput> {
  const max = opts.maxBytes ?? MAX_SBOM_BYTES;
  let text: string;
  const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new CavasError('NOT_FOUND', `${file}: no such SBOM file`);
    throw new CavasError('IO', `${file}: cannot open the SBOM: ${describeError(e)}`);
  });
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new CavasError('BAD_INPUT', `${file}: not a file (an SBOM is one JSON file)`);
    if (st.size > max) throw new CavasError('LIMIT_EXCEEDED', `${file}: the SBOM is ${st.size} bytes, more than the ${max} cavas reads`);
    text = (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
  return parseSbom(text, opts.ref ?? `sbom:${file}`, file);
}

/** Parses SBOM text; `name` is what error messages call it. */
export function parseSbom(text: string, ref: string, name = ref): SbomInput {
  const doc = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, name);
  return detectSbomFormat(doc, name) === 'cyclonedx' ? readCycloneDx(doc, ref) : readSpdx(doc, ref);
}

function parseJson(text: string, name: string): JsonObject {
  const head = text.trimStart().slice(0, 32);
  if (head.startsWith('<')) throw new CavasError('BAD_INPUT', `${name}: an XML document; cavas reads CycloneDX and SPDX as JSON only`);
  if (/^SPDXVersion:/i.test(head)) throw new CavasError('BAD_INPUT', `${name}: SPDX tag-value; cavas reads SPDX 2.3 as JSON only`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CavasError('BAD_INPUT', `${name}: not valid JSON: ${describeError(e)}`);
  }
  if (!isObject(value)) throw new CavasError('BAD_INPUT', `${name}: not a CycloneDX or SPDX document (the JSON is not an object)`);
  return value;
}

export function detectSbomFormat(doc: JsonObject, name: string): SbomFormat {
  if (doc.bomFormat === 'CycloneDX') return 'cyclonedx';
  const spdxVersion = str(doc.spdxVersion);
  if (spdxVersion?.startsWith('SPDX-2.')) return 'spdx';
  const context = doc['@context'];
  const contexts = (Array.isArray(context) ? context : [context]).filter((c): c is string => typeof c === 'string');
  if (spdxVersion !== undefined || contexts.some((c) => c.includes('spdx'))) {
    throw new CavasError('BAD_INPUT', `${name}: ${spdxVersion ?? 'SPDX 3'} is not supported; cavas reads SPDX 2.3 JSON`);
  }
  throw new CavasError('BAD_INPUT', `${name}: not a CycloneDX or SPDX JSON document (no "bomFormat": "CycloneDX" and no "spdxVersion")`);
}
