/**
 * `--format html`: one self-contained page to open in a browser or attach to a CI run.
 *
 * Everything from the image or an advisory feed is untrusted, so every value goes through
 * escapeHtml and the page carries a CSP that loads nothing from anywhere: no fonts, images,
 * stylesheets or scripts beyond the inline ones, and only the one known script may run.
 */
import { SEVERITY_ORDER, type Finding, type RuleFinding, type ScanResult, type Severity, type VulnerabilityFinding } from '../types.js';
import { advisorySource } from './advisory-source.js';
import { HTML_SCRIPT, HTML_SCRIPT_HASH, HTML_STYLE } from './html-assets.js';
import { configFindings, malwareFindings, secretFindings, vulnerabilityFindings } from './kinds.js';
import { findingLocation } from './location.js';
import { compareFindings, compareRuleFindings } from './order.js';
import type { Reporter } from './reporter.js';

export const HTML_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src ${HTML_SCRIPT_HASH}; img-src data:; base-uri 'none'; form-action 'none'`;

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// C0 and C1 controls other than tab and newlines are HTML parse errors and mean nothing on screen.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]+/g;

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(CONTROL, ' ').replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

const esc = escapeHtml;

function sevClass(s: Severity): string {
  return SEVERITY_ORDER.includes(s) ? `s-${s.toLowerCase()}` : 's-unknown';
}

function sevBadge(s: Severity): string {
  return `<span class="badge sevb">${esc(s)}</span>`;
}

function rowOpen(s: Severity): string {
  return `<tr class="${sevClass(s)}" data-sev="${esc(s)}">`;
}

/** Cells of a row; a [class, html] pair sets the cell's class (see HTML_STYLE). */
function cells(values: ReadonlyArray<string | readonly [string, string]>): string {
  return values.map((v) => (typeof v === 'string' ? `<td>${v}</td>` : `<td class="${v[0]}">${v[1]}</td>`)).join('');
}

function code(text: string): string {
  return text === '' ? '' : `<code>${esc(text)}</code>`;
}

function advisoryId(f: VulnerabilityFinding): string {
  const url = advisorySource(f.id)?.url;
  const id = url ? `<a href="${esc(url)}" rel="noopener noreferrer" target="_blank">${esc(f.id)}</a>` : code(f.id);
  return f.kev ? `${id}<span class="badge kev" title="In CISA's Known Exploited Vulnerabilities catalog">KEV</span>` : id;
}

function vulnRow(f: VulnerabilityFinding): string {
  return (
    rowOpen(f.severity) +
    cells([
      code(f.package.name),
      code(f.installedVersion),
      f.status === 'fixed' ? code(f.fixedVersion) : '<span class="muted">unfixed</span>',
      sevBadge(f.severity),
      ['id', advisoryId(f)],
      ['wide', esc(f.title ?? '')],
      String(f.layer),
    ]) +
    '</tr>'
  );
}

function ruleRow(f: RuleFinding): string {
  const values: Array<string | readonly [string, string]> = [
    sevBadge(f.severity),
    code(f.ruleId),
    ['where', code(findingLocation(f))],
    ['wide', esc(f.message)],
    ['wide', esc(f.remediation)],
  ];
  if (f.kind === 'secret') values.splice(4, 0, code(f.match));
  return rowOpen(f.severity) + cells(values) + '</tr>';
}

interface Section {
  id: string;
  kind: Finding['kind'];
  title: string;
  head: readonly string[];
  rows: string[];
  none: string;
}

function sectionsOf(result: ScanResult): Section[] {
  const scanned = new Set(result.scanners ?? ['vuln']);
  const out: Section[] = [];
  const vulns = vulnerabilityFindings(result.findings);
  // Old results without `scanners` can still hold rule findings: show what is there.
  if (scanned.has('vuln') || vulns.length > 0) {
    out.push({
      id: 'vulnerabilities',
      kind: 'vulnerability',
      title: 'Vulnerabilities',
      head: ['Package', 'Installed', 'Fixed', 'Severity', 'ID', 'Title', 'Layer'],
      rows: [...vulns].sort(compareFindings).map(vulnRow),
      none: 'No vulnerabilities found.',
    });
  }
  const rules: Array<[string, Finding['kind'], string, RuleFinding[], string]> = [
    ['config', 'config', 'Configuration', configFindings(result.findings), 'No configuration defects found.'],
    ['secret', 'secret', 'Secrets', secretFindings(result.findings), 'No secrets found.'],
    ['malware', 'malware', 'Malware', malwareFindings(result.findings), 'No malware found.'],
  ];
  for (const [scanner, kind, title, found, none] of rules) {
    if (!scanned.has(scanner) && found.length === 0) continue;
    const head = ['Severity', 'Rule', 'Where', 'Message', ...(kind === 'secret' ? ['Match'] : []), 'Remediation'];
    out.push({ id: title.toLowerCase(), kind, title, head, rows: [...found].sort(compareRuleFindings).map(ruleRow), none });
  }
  return out;
}

function renderSection(s: Section): string {
  const heading = `<h2>${esc(s.title)} (${s.rows.length})<span class="shown"></span></h2>`;
  const body =
    s.rows.length === 0
      ? `<p class="muted">${esc(s.none)}</p>`
      : `<table><thead><tr>${s.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${s.rows.join('\n')}\n</tbody></table>`;
  return `<section id="${s.id}" data-kind="${s.kind}">\n${heading}\n${body}\n</section>`;
}

function card(n: number, label: string, cls = ''): string {
  return `<div class="card${cls ? ' ' + cls : ''}"><span class="n">${n}</span><span class="l">${esc(label)}</span></div>`;
}

function summary(result: ScanResult, sections: readonly Section[]): string {
  const bySev = SEVERITY_ORDER.map((s) => card(result.findings.filter((f) => f.severity === s).length, s, `sev ${sevClass(s)}`));
  const byKind = sections.map((s) => card(s.rows.length, s.title));
  const fixable = vulnerabilityFindings(result.findings).filter((f) => f.status === 'fixed').length;
  return [
    '<section id="summary">',
    '<h2>Summary</h2>',
    `<div class="cards">${card(result.findings.length, 'Findings')}${bySev.join('')}</div>`,
    `<div class="cards">${byKind.join('')}${card(fixable, 'Fixable vulnerabilities')}</div>`,
    '</section>',
  ].join('\n');
}

function header(result: ScanResult): string {
  const { image, inventory } = result;
  const os = inventory.os;
  const osName = os ? (os.prettyName ?? `${os.id} ${os.version}`) : 'unknown';
  const p = image.platform;
  const rows: Array<[string, string]> = [
    ['Image', code(image.ref)],
    ...(image.tags.length > 0 ? [['Tags', image.tags.map(code).join(' ')] as [string, string]] : []),
    ['OS', esc(osName)],
    ['Platform', esc([p.os, p.architecture, p.variant].filter(Boolean).join('/'))],
    ...(image.manifestDigest ? [['Manifest digest', code(image.manifestDigest)] as [string, string]] : []),
    ['Config digest', code(image.configDigest)],
    ...(image.created ? [['Created', esc(image.created)] as [string, string]] : []),
    ['Packages', String(inventory.packages.length)],
    ['Scanned at', esc(result.scannedAt)],
    ['cavas version', esc(result.tool.version)],
    ...(result.db ? [['Advisory DB built', esc(result.db.builtAt)] as [string, string]] : []),
  ];
  const meta = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n');
  return `<header>\n<h1>cavas scan: ${esc(image.ref)}</h1>\n<dl class="meta">\n${meta}\n</dl>\n</header>`;
}

function controls(): string {
  const toggles = SEVERITY_ORDER.map(
    (s) => `<label class="${sevClass(s)}"><input type="checkbox" data-sev-toggle value="${s}" checked> ${s}</label>`,
  );
  return [
    '<div class="controls" id="controls" hidden>',
    '<input type="search" id="filter" placeholder="Filter: package, id, path, text…" aria-label="Filter findings">',
    ...toggles,
    '</div>',
  ].join('\n');
}

function notes(id: string, title: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  const list = items.map((n) => `<li>${esc(n)}</li>`).join('\n');
  return `<section id="${id}" class="${id}">\n<h2>${esc(title)} (${items.length})</h2>\n<ul class="notes">\n${list}\n</ul>\n</section>`;
}

export function renderHtml(result: ScanResult): string {
  const sections = sectionsOf(result);
  const body = [
    header(result),
    summary(result, sections),
    result.findings.length > 0 ? controls() : '<p class="muted">No findings.</p>',
    ...sections.map(renderSection),
    // Errors first: they mean the result is incomplete.
    notes('errors', 'Errors: the scan is incomplete', result.errors ?? []),
    notes('warnings', 'Warnings', result.warnings),
    `<footer>Generated by cavas ${esc(result.tool.version)} at ${esc(result.scannedAt)}.</footer>`,
  ].filter((part) => part !== '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(HTML_CSP)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>cavas scan: ${esc(result.image.ref)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export const htmlReporter: Reporter = {
  name: 'html',
  description: 'a self-contained HTML page (inline CSS and script, loads nothing from the network)',
  render: (result) => renderHtml(result),
};
