/**
 * Split findings into those still reported and those a .cavasignore entry or an OpenVEX
 * statement accepts. Pure: the clock and the image identity come in as arguments, so a
 * scan re-run after an entry's expiry date reports the finding again.
 *
 * Order: the first active .cavasignore entry (file order) that matches wins; otherwise
 * the latest matching OpenVEX statement for the finding decides (statement timestamp,
 * else document timestamp, ties and missing times by input order): only not_affected and
 * fixed suppress, so a later "affected" overrides an earlier "not_affected".
 */
import picomatch from 'picomatch';
import type { Finding, VulnerabilityFinding } from '../types.js';
import { isEntryActive } from './ignore-file.js';
import { parsePurl, purlCovers } from './purl-match.js';
import type { IgnoreEntry, SuppressedFinding, VexStatement } from './types.js';

export interface SuppressOptions {
  /**
   * Digests (sha256:...) the scanned image is known by: manifest, index, config. When
   * given, a pkg:oci product whose version is another digest is about another image and
   * is skipped; when absent, every pkg:oci product is taken to be the scanned image.
   */
  imageDigests?: string[];
}

function findingIds(f: Finding): string[] {
  return f.kind === 'vulnerability' ? [f.id, ...f.aliases] : [f.ruleId];
}

function packageMatches(pattern: string, f: VulnerabilityFinding): boolean {
  if (!pattern.startsWith('pkg:')) return pattern === f.package.name;
  const p = parsePurl(pattern);
  const t = parsePurl(f.package.purl);
  return p !== undefined && t !== undefined && purlCovers(p, t);
}

type Glob = (path: string) => boolean;

function entryMatches(e: IgnoreEntry, f: Finding, glob: Glob | undefined): boolean {
  const want = e.id.toUpperCase();
  if (!findingIds(f).some((id) => id.toUpperCase() === want)) return false;
  if (f.kind === 'vulnerability') {
    // a path entry is about files; it never covers a package vulnerability
    if (e.path !== undefined) return false;
    return e.package === undefined || packageMatches(e.package, f);
  }
  if (e.package !== undefined) return false;
  if (glob === undefined) return true;
  return f.path !== undefined && glob(f.path);
}

function ociProductIsImage(purl: string, digests: Set<string> | undefined): boolean | undefined {
  const p = parsePurl(purl);
  if (p?.type.toLowerCase() !== 'oci') return undefined;
  if (digests === undefined || !p.version) return true;
  return digests.has(p.version.toLowerCase());
}

function statementCovers(s: VexStatement, f: VulnerabilityFinding, target: ReturnType<typeof parsePurl>, digests: Set<string> | undefined): boolean {
  const ids = new Set(s.vulnerabilityIds.map((x) => x.toUpperCase()));
  if (![f.id, ...f.aliases].some((id) => ids.has(id.toUpperCase()))) return false;
  if (target === undefined) return false;
  return s.products.some((prod) => {
    const image = prod.purl !== undefined ? ociProductIsImage(prod.purl, digests) : undefined;
    if (image === false) return false;
    if (prod.subcomponents.length > 0) {
      return prod.subcomponents.some((sub) => {
        const p = sub ? parsePurl(sub) : undefined;
        return p !== undefined && purlCovers(p, target);
      });
    }
    if (image === true) return true;
    const p = prod.purl !== undefined ? parsePurl(prod.purl) : undefined;
    return p !== undefined && purlCovers(p, target);
  });
}

/** Later wins: by time where both have one, else by input order. */
function later(a: { s: VexStatement; order: number }, b: { s: VexStatement; order: number }): boolean {
  if (a.s.timestamp !== undefined && b.s.timestamp !== undefined && a.s.timestamp !== b.s.timestamp) return a.s.timestamp > b.s.timestamp;
  return a.order > b.order;
}

function vexVerdict(f: Finding, vex: VexStatement[], digests: Set<string> | undefined): SuppressedFinding | undefined {
  if (f.kind !== 'vulnerability') return undefined;
  const target = parsePurl(f.package.purl);
  let best: { s: VexStatement; order: number } | undefined;
  vex.forEach((s, order) => {
    if (!statementCovers(s, f, target, digests)) return;
    const cand = { s, order };
    if (best === undefined || later(cand, best)) best = cand;
  });
  if (best === undefined) return undefined;
  const s = best.s;
  if (s.status !== 'not_affected' && s.status !== 'fixed') return undefined;
  const reason = s.impactStatement ?? s.actionStatement ?? (s.justification ? `${s.status}: ${s.justification}` : s.status);
  const out: SuppressedFinding = { finding: f, by: 'openvex', reason, vexStatus: s.status, source: s.source };
  if (s.justification) out.justification = s.justification;
  return out;
}

export function applySuppressions(
  findings: Finding[],
  sources: { ignore?: IgnoreEntry[]; vex?: VexStatement[] },
  now: Date,
  options: SuppressOptions = {},
): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const active = (sources.ignore ?? []).filter((e) => isEntryActive(e, now));
  const globs = active.map((e) => (e.path !== undefined ? picomatch(e.path, { dot: true }) : undefined));
  const vex = sources.vex ?? [];
  const digests = options.imageDigests ? new Set(options.imageDigests.map((d) => d.toLowerCase())) : undefined;
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const i = active.findIndex((e, k) => entryMatches(e, f, globs[k]));
    const e = active[i];
    if (e !== undefined) {
      const out: SuppressedFinding = { finding: f, by: 'cavasignore', reason: e.reason, source: e.source };
      if (e.expires !== undefined) out.expires = e.expires;
      suppressed.push(out);
      continue;
    }
    const v = vexVerdict(f, vex, digests);
    if (v) suppressed.push(v);
    else kept.push(f);
  }
  return { kept, suppressed };
}

/** Entries past their date: worth a warning, since the findings they hid are back. */
export function expiredEntries(entries: IgnoreEntry[], now: Date): IgnoreEntry[] {
  return entries.filter((e) => !isEntryActive(e, now));
}
