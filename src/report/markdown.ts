/**
 * `--format markdown`: a GitHub-flavoured report to post as a pull-request comment.
 *
 * Every value that comes from the image or an advisory feed is untrusted: it must not
 * break the table, inject HTML or links, or @-mention people. Identifiers go in code
 * spans (no markdown, no mentions, no autolinks inside); prose is escaped.
 */
import { SEVERITY_ORDER, type Finding, type RuleFinding, type ScanResult, type Severity, type VulnerabilityFinding } from '../types.js';
import { advisorySource } from './advisory-source.js';
import { configFindings, malwareFindings, secretFindings, vulnerabilityFindings } from './kinds.js';
import { findingLocation } from './location.js';
import { compareFindings, compareRuleFindings } from './order.js';
import type { Reporter } from './reporter.js';

/** GitHub rejects comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Rows shown per section before "and N more". */
export const MAX_ROWS = 200;
/** Sections longer than this are collapsed so the comment stays scannable. */
export const COLLAPSE_ROWS = 20;
const VALUE_MAX = 200;
const MAX_NOTES = 50;
// Room kept for the truncation notice and for line joins the estimate does not see.
const SAFETY = 1_024;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line, no control characters, bounded length. */
function oneLine(text: string, max = VALUE_MAX): string {
  const flat = text.replace(CONTROL, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : chars.slice(0, max - 1).join('').trimEnd() + '…';
}

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Prose (messages, titles, warnings) as inert markdown text: markdown punctuation is
 * backslash-escaped (GFM also honours `\|` inside table cells), HTML specials become
 * entities, and `@name` gets a zero-width space so GitHub does not notify anyone.
 */
export function mdText(text: string, max = VALUE_MAX): string {
  return oneLine(text, max)
    .replace(/[\\`*_[\]|~#]/g, (c) => '\\' + c)
    .replace(/[&<>"]/g, (c) => ENTITY[c]!)
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}

/**
 * An identifier (package, version, path, rule id) in a code span, shown verbatim. A code
 * span cannot express a backslash before a table pipe, nor a backtick run safely, so
 * values holding `|`, `\` or `` ` `` use <code> with every markdown character as an entity.
 */
export function mdCode(text: string, max = VALUE_MAX): string {
  const flat = oneLine(text, max);
  if (flat === '') return '';
  if (!/[|\\`]/.test(flat)) return '`' + flat + '`';
  const inert = flat.replace(/[&<>"|\\`*_[\]~#!()@:]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<code>${inert}</code>`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableLines(head: readonly string[], rows: readonly string[]): string[] {
  return [row(head), row(head.map(() => '---')), ...rows];
}

function vulnRow(f: VulnerabilityFinding): string {
  const source = advisorySource(f.id);
  // advisorySource only matches ids of a fixed alphabet, and percent-encodes them into the URL.
  const id = source?.url ? `[${mdText(f.id)}](${source.url})` : mdCode(f.id);
  return row([
    mdCode(f.package.name),
    mdCode(f.installedVersion),
    f.status === 'fixed' ? mdCode(f.fixedVersion) : 'unfixed',
    f.severity,
    f.kev ? `${id} **KEV**` : id,
    String(f.layer),
  ]);
}

function ruleRow(f: RuleFinding): string {
  const cells = [f.severity, mdCode(f.ruleId), mdCode(findingLocation(f), 300), mdText(f.message, 300)];
  if (f.kind === 'secret') cells.push(mdCode(f.match));
  return row(cells);
}

interface Section {
  title: string;
  head: readonly string[];
  rows: string[];
  none: string;
}

function sectionsOf(result: ScanResult): Section[] {
  const scanned = new Set(result.scanners ?? ['vuln']);
  const out: Section[] = [];
  if (scanned.has('vuln')) {
    out.push({
      title: 'Vulnerabilities',
      head: ['Package', 'Installed', 'Fixed', 'Severity', 'ID', 'Layer'],
      rows: [...vulnerabilityFindings(result.findings)].sort(compareFindings).map(vulnRow),
      none: 'No vulnerabilities found.',
    });
  }
  const rules: Array<[string, string, RuleFinding[], string]> = [
    ['config', 'Configuration', configFindings(result.findings), 'No configuration defects found.'],
    ['secret', 'Secrets', secretFindings(result.findings), 'No secrets found.'],
    ['malware', 'Malware', malwareFindings(result.findings), 'No malware found.'],
  ];
  for (const [scanner, title, found, none] of rules) {
    if (!scanned.has(scanner)) continue;
    const head = ['Severity', 'Rule', 'Where', 'Message', ...(scanner === 'secret' ? ['Match'] : [])];
    out.push({ title, head, rows: [...found].sort(compareRuleFindings).map(ruleRow), none });
  }
  return out;
}

function renderSection(s: Section, cap: number): string[] {
  const n = s.rows.length;
  const lines = [`### ${s.title} (${n})`, ''];
  if (n === 0) return [...lines, s.none];
  const shown = s.rows.slice(0, cap);
  const table = shown.length > 0 ? tableLines(s.head, shown) : [];
  const more = n - shown.length;
  const tail = more > 0 ? ['', `…and ${more} more not shown.`] : [];
  if (n <= COLLAPSE_ROWS) return [...lines, ...table, ...tail];
  const noun = n === 1 ? 'finding' : 'findings';
  return [...lines, '<details>', `<summary>Show ${n} ${noun}</summary>`, '', ...table, ...tail, '', '</details>'];
}

const KIND_COLUMNS: ReadonlyArray<[string, Finding['kind'], string]> = [
  ['vuln', 'vulnerability', 'Vulnerabilities'],
  ['config', 'config', 'Config'],
  ['secret', 'secret', 'Secrets'],
  ['malware', 'malware', 'Malware'],
];

function summaryLines(result: ScanResult): string[] {
  const scanned = new Set(result.scanners ?? ['vuln']);
  // A kind is a column if it was looked for, or (old results) if it was found anyway.
  const cols = KIND_COLUMNS.filter(([scanner, kind]) => scanned.has(scanner) || result.findings.some((f) => f.kind === kind));
  const count = (sev: Severity | undefined, kind: Finding['kind'] | undefined): number =>
    result.findings.filter((f) => (sev === undefined || f.severity === sev) && (kind === undefined || f.kind === kind)).length;
  const head = ['Severity', ...cols.map(([, , title]) => title), 'Total'];
  const rows = SEVERITY_ORDER.map((sev) => row([sev, ...cols.map(([, kind]) => String(count(sev, kind))), String(count(sev, undefined))]));
  rows.push(row(['**Total**', ...cols.map(([, kind]) => `**${count(undefined, kind)}**`), `**${result.findings.length}**`]));
  const fixable = vulnerabilityFindings(result.findings).filter((f) => f.status === 'fixed').length;
  return [...tableLines(head, rows), '', `Fixable vulnerabilities: **${fixable}**`];
}

function headerLines(result: ScanResult): string[] {
  const os = result.inventory.os;
  const osName = os ? (os.prettyName ?? `${os.id} ${os.version}`) : 'unknown';
  const packages = result.inventory.packages.length;
  return [`## cavas scan: ${mdCode(result.image.ref, 300)}`, '', `**OS:** ${mdText(osName)} · **Packages:** ${packages}`];
}

function noteLines(title: string, notes: readonly string[], cap: number): string[] {
  if (notes.length === 0) return [];
  const shown = notes.slice(0, cap).map((n) => `- ${mdText(n, 500)}`);
  const more = notes.length - shown.length;
  return ['', `### ${title} (${notes.length})`, '', ...shown, ...(more > 0 ? [`- …and ${more} more`] : [])];
}

function assemble(result: ScanResult, sections: readonly Section[], cap: number, noteCap: number, notice: string[]): string {
  const lines = [...headerLines(result), '', ...summaryLines(result), ...notice];
  if (result.findings.length === 0) lines.push('', 'No findings.');
  for (const s of sections) lines.push('', ...renderSection(s, cap));
  // Errors first: they mean the result is incomplete.
  lines.push(...noteLines('Errors: the scan is incomplete', result.errors ?? [], noteCap));
  lines.push(...noteLines('Warnings', result.warnings, noteCap));
  return lines.join('\n') + '\n';
}

/**
 * The report with as many rows per section as fit under `limit` (at most MAX_ROWS); when
 * rows had to go for size, a notice near the top says so.
 */
export function renderMarkdown(result: ScanResult, limit = GITHUB_COMMENT_LIMIT): string {
  const sections = sectionsOf(result);
  const full = assemble(result, sections, MAX_ROWS, MAX_NOTES, []);
  if (full.length <= limit) return full;
  const notice = (cap: number): string[] => [
    '',
    `> **Note:** this report was shortened to fit GitHub's comment size limit: at most ${cap} rows per section are shown. ` +
      'Run cavas with `--format table` or `--format json` for every finding.',
  ];
  const fits = (cap: number, noteCap: number): boolean => assemble(result, sections, cap, noteCap, notice(cap)).length <= limit - SAFETY;
  // Warnings are bounded too, in case they alone fill the comment.
  let noteCap = MAX_NOTES;
  while (noteCap > 0 && !fits(0, noteCap)) noteCap = Math.floor(noteCap / 2);
  // The largest row cap that fits: fits() only gets worse as the cap grows.
  let lo = 0;
  let hi = MAX_ROWS;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid, noteCap)) lo = mid;
    else hi = mid - 1;
  }
  return assemble(result, sections, lo, noteCap, notice(lo));
}

export const markdownReporter: Reporter = {
  name: 'markdown',
  description: 'GitHub-flavoured markdown for a pull-request comment (kept under 65536 characters)',
  render: (result) => renderMarkdown(result),
};
