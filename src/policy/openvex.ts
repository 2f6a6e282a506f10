/**
 * OpenVEX documents (spec v0.2.0, @context https://openvex.dev/ns/v0.2.0): a supplier's
 * statements that a vulnerability does or does not affect a product.
 *
 *   { "@context": "https://openvex.dev/ns/v0.2.0", "@id": "...", "author": "...",
 *     "timestamp": "2026-11-01T00:00:00Z", "version": 1,
 *     "statements": [{
 *       "vulnerability": { "name": "CVE-2023-45853", "aliases": ["DEBIAN-CVE-2023-45853"] },
 *       "products": [{ "@id": "pkg:oci/app@sha256%3A...",
 *                      "subcomponents": [{ "@id": "pkg:deb/debian/zlib1g" }] }],
 *       "status": "not_affected", "justification": "vulnerable_code_not_present",
 *       "impact_statement": "minizip is not built" }] }
 *
 * Earlier drafts (v0.0.x) wrote vulnerability and products as plain strings; both forms
 * are read. Only the fields matching needs are validated: a wrong status or a statement
 * that is not an object is an error, unknown extra fields are not (documents carry them).
 */
import { readFile, stat } from 'node:fs/promises';
import { CavasError, describeError } from '../util/errors.js';
import type { VexProduct, VexStatement, VexStatus } from './types.js';

export const MAX_VEX_FILE_BYTES = 16 * 1024 * 1024;

const STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function timeOf(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** The purl naming a product or subcomponent: identifiers.purl, else an @id that is a purl. */
function purlOf(c: Record<string, unknown>): string | undefined {
  const ids = c.identifiers;
  const explicit = isRecord(ids) ? str(ids.purl) : undefined;
  if (explicit) return explicit;
  const id = str(c['@id']);
  return id?.startsWith('pkg:') ? id : undefined;
}

/** Ids a vulnerability is known by; for an @id URL (.../CVE-2023-45853) also its last segment. */
function vulnerabilityIds(v: unknown): string[] {
  if (typeof v === 'string') return str(v) ? [v.trim()] : [];
  if (!isRecord(v)) return [];
  const ids: string[] = [];
  const name = str(v.name);
  if (name) ids.push(name);
  const iri = str(v['@id']);
  if (iri) {
    ids.push(iri);
    const last = /[/#]([^/#]+)\/?$/.exec(iri)?.[1];
    if (last) ids.push(last);
  }
  if (Array.isArray(v.aliases)) for (const a of v.aliases) if (str(a)) ids.push((a as string).trim());
  return ids;
}

function product(p: unknown, where: () => string): VexProduct {
  if (typeof p === 'string') return { id: p, ...(p.startsWith('pkg:') ? { purl: p } : {}), subcomponents: [] };
  if (!isRecord(p)) throw new CavasError('BAD_INPUT', `${where()}: each product must be an object or a string`);
  const subs: string[] = [];
  if (p.subcomponents !== undefined) {
    if (!Array.isArray(p.subcomponents)) throw new CavasError('BAD_INPUT', `${where()}: subcomponents must be a list`);
    for (const s of p.subcomponents) {
      const purl = typeof s === 'string' ? (s.startsWith('pkg:') ? s : undefined) : isRecord(s) ? purlOf(s) : undefined;
      if (purl) subs.push(purl);
      // a subcomponent named only by CPE or hash stays out: it can never match a package,
      // and dropping it must not widen the statement to the whole product
      else subs.push('');
    }
  }
  const purl = purlOf(p);
  return { id: str(p['@id']) ?? purl ?? '', ...(purl ? { purl } : {}), subcomponents: subs };
}

/** Parse one OpenVEX JSON document; `source` names it in errors and results. */
export function parseOpenVex(text: string, source: string): VexStatement[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_VEX_FILE_BYTES) {
    throw new CavasError('BAD_INPUT', `${source}: larger than ${MAX_VEX_FILE_BYTES} bytes`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CavasError('BAD_INPUT', `${source}: not valid JSON (${describeError(e)})`);
  }
  if (!isRecord(doc)) throw new CavasError('BAD_INPUT', `${source}: expected an OpenVEX document (a JSON object)`);
  const ctx = str(doc['@context']);
  if (!ctx?.startsWith('https://openvex.dev/ns')) {
    throw new CavasError('BAD_INPUT', `${source}: not an OpenVEX document (@context must be https://openvex.dev/ns/v0.2.0)`);
  }
  if (!Array.isArray(doc.statements)) throw new CavasError('BAD_INPUT', `${source}: statements must be a list`);
  const docTime = timeOf(doc.timestamp);
  return doc.statements.map((s: unknown, index): VexStatement => {
    const where = (): string => `${source}: statements[${index}]`;
    if (!isRecord(s)) throw new CavasError('BAD_INPUT', `${where()}: expected an object`);
    const ids = vulnerabilityIds(s.vulnerability);
    if (ids.length === 0) throw new CavasError('BAD_INPUT', `${where()}: vulnerability needs a name or @id`);
    const status = s.status;
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
      throw new CavasError('BAD_INPUT', `${where()} (${ids[0] ?? ''}): status must be one of ${STATUSES.join(', ')}`);
    }
    if (s.products !== undefined && !Array.isArray(s.products)) throw new CavasError('BAD_INPUT', `${where()}: products must be a list`);
    const products = ((s.products as unknown[] | undefined) ?? []).map((p) => product(p, where));
    const st: VexStatement = { vulnerabilityIds: ids, products, status: status as VexStatus, source, index };
    const justification = str(s.justification);
    const impact = str(s.impact_statement);
    const action = str(s.action_statement);
    const time = timeOf(s.timestamp) ?? docTime;
    if (justification) st.justification = justification;
    if (impact) st.impactStatement = impact;
    if (action) st.actionStatement = action;
    if (time !== undefined) st.timestamp = time;
    return st;
  });
}

export async function readOpenVex(file: string): Promise<VexStatement[]> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.size > MAX_VEX_FILE_BYTES) throw new CavasError('BAD_INPUT', `${file}: larger than ${MAX_VEX_FILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CavasError) throw e;
    throw new CavasError('NOT_FOUND', `${file}: cannot read OpenVEX document (${describeError(e)})`);
  }
  return parseOpenVex(text, file);
}
