/**
 * The body of one notification: one subscription, one image, the changes that passed the
 * subscription's filters. Webhooks get the JSON document (schema cavas.notification/v1,
 * docs/notifications.md); Slack gets an incoming-webhook message rendered from it.
 */
import { SEVERITY_ORDER, severityRank, type Finding, type Severity } from '../../types.js';
import type { FindingChange } from '../model.js';
import { zeroCounts, type FindingSummary, type SeverityCounts } from './events.js';
import type { Selection } from './filter.js';

export const NOTIFICATION_SCHEMA = 'cavas.notification/v1';

/** Slack lists at most this many findings; the rest is one "...and N more" line. */
export const SLACK_MAX_FINDINGS = 20;

export interface NotificationImage {
  registry: string;
  repository: string;
  digest: string;
  tags: string[];
}

export interface NotificationItem {
  /** CVE/advisory id, or the rule id of a config/secret/malware finding. */
  id: string;
  severity: Severity;
  package: string | null;
  purl: string | null;
  installedVersion: string | null;
  /** 'unfixed', the lowest fixing version, or null for rule findings. */
  fixedVersion: string | null;
  kev: boolean;
  kind: Finding['kind'];
  /** Rule findings: the file in the image; absent when there is none. */
  path?: string;
}

export interface NotificationPayload {
  schema: typeof NOTIFICATION_SCHEMA;
  /** The delivery id (also in X-Cavas-Delivery): the same on every attempt, for de-duplication. */
  id: string;
  /** When this attempt was sent (ISO 8601 UTC). */
  sentAt: string;
  image: NotificationImage;
  summary: {
    new: number;
    fixable: number;
    gone: number;
    /** new + fixable findings (what needs action) by severity; gone ones are not counted. */
    bySeverity: SeverityCounts;
  };
  /** Present when the batch holds the image's first scan: its open findings by severity. */
  scan?: { counts: SeverityCounts; total: number };
  changes: Record<FindingChange, NotificationItem[]>;
}

export function buildNotification(input: { id: string; sentAt: string; image: NotificationImage; selection: Selection }): NotificationPayload {
  const changes: Record<FindingChange, NotificationItem[]> = { new: [], fixable: [], gone: [] };
  for (const s of input.selection.findings) changes[s.change].push(item(s.finding));
  for (const list of Object.values(changes)) list.sort(compareItems);
  const bySeverity = zeroCounts();
  for (const i of [...changes.new, ...changes.fixable]) bySeverity[i.severity]++;
  const scan = input.selection.scan;
  return {
    schema: NOTIFICATION_SCHEMA,
    id: input.id,
    sentAt: input.sentAt,
    image: { registry: input.image.registry, repository: input.image.repository, digest: input.image.digest, tags: [...input.image.tags] },
    summary: { new: changes.new.length, fixable: changes.fixable.length, gone: changes.gone.length, bySeverity },
    ...(scan ? { scan: { counts: { ...scan.counts }, total: sum(scan.counts) } } : {}),
    changes,
  };
}

function item(f: FindingSummary): NotificationItem {
  return {
    id: f.id,
    severity: f.severity,
    package: f.package ?? null,
    purl: f.purl ?? null,
    installedVersion: f.installedVersion ?? null,
    fixedVersion: f.fixedVersion ?? null,
    kev: f.kev,
    kind: f.kind,
    ...(f.path ? { path: f.path } : {}),
  };
}

/** Worst first, known-exploited first within a severity, then by id and package for a stable order. */
function compareItems(a: NotificationItem, b: NotificationItem): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    Number(b.kev) - Number(a.kev) ||
    cmp(a.id, b.id) ||
    cmp(a.package ?? '', b.package ?? '') ||
    cmp(a.path ?? '', b.path ?? '')
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(c: SeverityCounts): number {
  return SEVERITY_ORDER.reduce((n, s) => n + c[s], 0);
}

// --- Slack -----------------------------------------------------------------------------

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } };

export interface SlackPayload {
  /** Fallback for notifications and clients that do not render blocks. */
  text: string;
  blocks: SlackBlock[];
}

// Slack's limits: header text 150 characters, section text 3000.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
/** An image may carry hundreds of tags; the message names a few. */
const MAX_TAGS = 5;

const CHANGE_LABEL: Record<FindingChange, string> = { new: 'NEW', fixable: 'FIXABLE', gone: 'GONE' };

export function buildSlackPayload(p: NotificationPayload): SlackPayload {
  const name = imageName(p.image);
  const parts: string[] = [];
  if (p.scan) parts.push(p.scan.total === 0 ? 'first scan: no findings' : `first scan: ${p.scan.total} finding${p.scan.total === 1 ? '' : 's'}`);
  if (p.summary.new) parts.push(`${p.summary.new} new`);
  if (p.summary.fixable) parts.push(`${p.summary.fixable} now fixable`);
  if (p.summary.gone) parts.push(`${p.summary.gone} gone`);
  const text = escape(`cavas: ${parts.join(', ')} in ${name}`);

  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(`cavas: ${name}`, HEADER_MAX) } }];

  const counts: string[] = [];
  const shownTags = p.image.tags.slice(0, MAX_TAGS).map((t) => code(clip(t, 128)));
  if (p.image.tags.length > MAX_TAGS) shownTags.push(`${p.image.tags.length - MAX_TAGS} more`);
  const tags = shownTags.length ? ` (tags: ${shownTags.join(', ')})` : '';
  counts.push(`*Image:* ${code(`${p.image.registry}/${p.image.repository}`)}${tags}`);
  counts.push(`*Digest:* ${code(p.image.digest)}`);
  if (p.scan) counts.push(`*First scan:* ${severityLine(p.scan.counts) || 'no findings'}`);
  if (p.summary.new + p.summary.fixable + p.summary.gone > 0) {
    counts.push(`*New:* ${p.summary.new}   *Now fixable:* ${p.summary.fixable}   *Gone:* ${p.summary.gone}`);
    const sev = severityLine(p.summary.bySeverity);
    if (sev) counts.push(`*New and fixable by severity:* ${sev}`);
  }
  blocks.push(section(counts.join('\n')));

  const all = (['new', 'fixable', 'gone'] as const).flatMap((c) => p.changes[c].map((i) => ({ change: c, item: i })));
  if (all.length > 0) blocks.push(section(findingList(all.map(({ change, item: i }) => findingLine(change, i)))));
  return { text, blocks };
}

/** At most SLACK_MAX_FINDINGS lines, fewer if they would not fit one section; whole lines only. */
function findingList(all: string[]): string {
  const lines = all.slice(0, SLACK_MAX_FINDINGS);
  const more = (shown: number): string => `_...and ${all.length - shown} more_`;
  const text = (): string => [...lines, ...(lines.length < all.length ? [more(lines.length)] : [])].join('\n');
  while (lines.length > 1 && text().length > SECTION_MAX) lines.pop();
  return text();
}

function imageName(img: NotificationImage): string {
  const ref = img.tags[0] !== undefined ? `:${img.tags[0]}` : `@${img.digest.slice(0, 19)}`;
  return `${img.registry}/${img.repository}${ref}`;
}

function severityLine(c: SeverityCounts): string {
  return SEVERITY_ORDER.filter((s) => c[s] > 0)
    .map((s) => `${s} ${c[s]}`)
    .join(' · ');
}

function findingLine(change: FindingChange, i: NotificationItem): string {
  let where = '';
  if (i.package) {
    where = ` in ${code(clip(i.package, 60))}`;
    if (i.installedVersion) where += ` ${escape(clip(i.installedVersion, 40))}`;
    if (change !== 'gone' && i.fixedVersion) where += i.fixedVersion === 'unfixed' ? ' (no fix yet)' : ` (fixed in ${escape(clip(i.fixedVersion, 40))})`;
  } else if (i.path) {
    where = ` at ${code(clip(i.path, 60))}`;
  }
  return `• *${CHANGE_LABEL[change]}* ${i.severity} ${code(clip(i.id, 60))}${where}${i.kev ? ' · KEV' : ''}`;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } };
}

/** Inline code: mrkdwn does not format inside it, so only &, < and > need escaping. */
function code(s: string): string {
  return `\`${escape(s.replace(/`/g, "'"))}\``;
}

/**
 * Slack reads <...> as links and mentions (<!channel>): image and package names come from
 * registries and images, so they are escaped.
 */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
