/**
 * OSV feed: one `all.zip` of the OSV bucket per ecosystem, one OSV record
 * (https://ossf.github.io/osv-schema/) per zip entry. Entries are read from the zip one at a
 * time, never extracted, and bounded in size (see zip-reader.ts).
 */
import type { Ecosystem, Severity } from '../../types.js';
import { cvssBaseScore, type CvssScore } from '../cvss.js';
import type { Advisory, AffectedPackage, AffectedRange, AdvisorySink, OsvRangeEvent } from '../model.js';
import { isKnownVendorSeverity, normaliseVendorSeverity, severityFromScore } from '../severity.js';
import {
  feedError,
  isObject,
  oneLine,
  optionalString,
  parseJson,
  WarningTally,
  type AdvisoryFeed,
  type FeedContext,
} from './feed.js';
import { readZipEntries, type ZipLimits } from './zip-reader.js';

export type { ZipLimits };

export const OSV_ZIP_LIMITS: Readonly<ZipLimits> = {
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
};

/** OSV ecosystems whose packages cavas inventories; anything else is skipped with a warning. */
const LANGUAGE_ECOSYSTEMS: Readonly<Record<string, Ecosystem>> = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Go: 'go',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  'crates.io': 'cargo',
};

const DISTRO_ECOSYSTEMS: Readonly<Record<string, { ecosystem: Ecosystem; distro: string }>> = {
  Debian: { ecosystem: 'deb', distro: 'debian' },
  Alpine: { ecosystem: 'apk', distro: 'alpine' },
  AlmaLinux: { ecosystem: 'rpm', distro: 'almalinux' },
  'Rocky Linux': { ecosystem: 'rpm', distro: 'rocky' },
  'Red Hat': { ecosystem: 'rpm', distro: 'rhel' },
};

export type EcosystemMapping =
  | { kind: 'ok'; ecosystem: Ecosystem; distro: string }
  | { kind: 'no-release' }
  | { kind: 'unsupported'; name: string };

/**
 * 'Debian:12' -> deb / 'debian:12', 'Alpine:v3.16' -> apk / 'alpine:v3.16', 'npm' -> npm / ''.
 * Red Hat ecosystems name a product stream ('Red Hat:enterprise_linux:9::appstream',
 * 'Red Hat:rhel_eus:8.6::baseos'); RHEL ones become 'rhel:<major>', other Red Hat products
 * (OpenShift, ...) are not RHEL packages and count as unsupported.
 */
export function mapOsvEcosystem(osvEcosystem: string): EcosystemMapping {
  const colon = osvEcosystem.indexOf(':');
  const base = colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon);
  const release = colon < 0 ? '' : osvEcosystem.slice(colon + 1).trim();
  const language = LANGUAGE_ECOSYSTEMS[base];
  if (language !== undefined) return { kind: 'ok', ecosystem: language, distro: '' };
  const distro = DISTRO_ECOSYSTEMS[base];
  if (distro === undefined) return { kind: 'unsupported', name: base };
  if (release === '') return { kind: 'no-release' };
  if (base === 'Red Hat') {
    const rhel = /^(?:enterprise_linux|rhel_[a-z0-9]+):(\d+)(?:[.:]|$)/.exec(release);
    if (rhel?.[1] === undefined) return { kind: 'unsupported', name: `Red Hat:${release.split(':')[0] ?? ''}` };
    return { kind: 'ok', ecosystem: distro.ecosystem, distro: `rhel:${rhel[1]}` };
  }
  return { kind: 'ok', ecosystem: distro.ecosystem, distro: `${distro.distro}:${release.toLowerCase()}` };
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function parseRanges(v: unknown, where: string, ctx: FeedContext, tally: WarningTally): AffectedRange[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw feedError(ctx, `${where}: "ranges" is not an array`);
  const ranges: AffectedRange[] = [];
  for (const r of v) {
    if (!isObject(r) || !Array.isArray(r.events)) throw feedError(ctx, `${where}: a range has no "events" array`);
    // GIT ranges are commit hashes; cavas matches installed package versions only.
    if (r.type === 'GIT') continue;
    if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') {
      tally.add('dropped ranges of unknown type', String(r.type));
      continue;
    }
    const events: OsvRangeEvent[] = [];
    for (const e of r.events) {
      if (!isObject(e)) throw feedError(ctx, `${where}: a range event is not an object`);
      const event: OsvRangeEvent = {};
      for (const k of EVENT_KEYS) {
        const value = e[k];
        if (typeof value === 'string') event[k] = value;
      }
      if (Object.keys(event).length > 0) events.push(event);
    }
    ranges.push({ type: r.type, events });
  }
  return ranges;
}

function stringArray(v: unknown, field: string, where: string, ctx: FeedContext): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw feedError(ctx, `${where}: "${field}" is not an array of strings`);
  }
  return v as string[];
}

/** The single-range shape [{introduced:'0'},{fixed:X}] that a plain `installed < X` check covers. */
function simpleFixedVersion(ranges: AffectedRange[]): string | undefined {
  if (ranges.length !== 1) return undefined;
  const [first, second, ...rest] = ranges[0]?.events ?? [];
  if (rest.length > 0 || first?.introduced !== '0' || second?.fixed === undefined) return undefined;
  if (Object.keys(first).length !== 1 || Object.keys(second).length !== 1) return undefined;
  return second.fixed;
}

function parseAffected(
  a: unknown,
  id: string,
  ctx: FeedContext,
  tally: WarningTally,
): AffectedPackage | 'skipped' {
  if (!isObject(a)) throw feedError(ctx, `${id}: an "affected" entry is not an object`);
  const pkg = a.package;
  if (!isObject(pkg) || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string' || pkg.name === '') {
    tally.add('skipped affected entries without a package name and ecosystem', id);
    return 'skipped';
  }
  const mapped = mapOsvEcosystem(pkg.ecosystem);
  if (mapped.kind === 'unsupported') {
    tally.add('skipped affected entries in OSV ecosystems cavas does not support', mapped.name);
    return 'skipped';
  }
  // The bucket repeats every 'Debian:12' statement under a bare 'Debian' too; a statement
  // without a release cannot be matched to an image, so it is dropped without a warning.
  if (mapped.kind === 'no-release') return 'skipped';

  const where = `${id} (${pkg.ecosystem} ${pkg.name})`;
  const ranges = parseRanges(a.ranges, where, ctx, tally);
  const versions = stringArray(a.versions, 'versions', where, ctx);
  if (ranges.length === 0 && versions.length === 0) {
    // Only GIT ranges (or nothing): no version statement, so matching it would flag every version.
    tally.add('skipped affected entries with no version information (GIT ranges only)', pkg.ecosystem);
    return 'skipped';
  }
  const out: AffectedPackage = {
    ecosystem: mapped.ecosystem,
    distro: mapped.distro,
    package: pkg.name,
    status: ranges.some((r) => r.events.some((e) => e.fixed !== undefined)) ? 'fixed' : 'unfixed',
  };
  const fixedVersion = simpleFixedVersion(ranges);
  if (fixedVersion !== undefined) out.fixedVersion = fixedVersion;
  if (ranges.length > 0) out.ranges = ranges;
  if (versions.length > 0) out.versions = versions;

  const urgency = isObject(a.ecosystem_specific) ? a.ecosystem_specific.urgency : undefined;
  if (typeof urgency === 'string') {
    if (!isKnownVendorSeverity(urgency)) tally.add('unknown urgency', urgency);
    // UNKNOWN ('not yet assigned') is left out so consumers fall back to the CVSS severity.
    const vendor = normaliseVendorSeverity(urgency);
    if (vendor !== 'UNKNOWN') out.vendorSeverity = vendor;
  }
  return out;
}

/**
 * Scoring a vector is slow (the CVSS 4.0 calculator dominated OSV loading), and the feeds repeat
 * the same few hundred vectors thousands of times; the bound only guards against odd input.
 */
const baseScores = new Map<string, CvssScore | undefined>();
const MAX_CACHED_SCORES = 10_000;

function cachedBaseScore(vector: string): CvssScore | undefined {
  if (baseScores.has(vector)) return baseScores.get(vector);
  const scored = cvssBaseScore(vector);
  if (baseScores.size >= MAX_CACHED_SCORES) baseScores.clear();
  baseScores.set(vector, scored);
  return scored;
}

interface RecordSeverity {
  cvssVector?: string;
  cvssScore?: number;
  severity?: Severity;
}

/**
 * CVSS_V4 is preferred over CVSS_V3 when a record has both (GHSA shows the newest version too);
 * without a usable vector, the GHSA word in database_specific.severity is used.
 */
function recordSeverity(raw: Record<string, unknown>, tally: WarningTally): RecordSeverity {
  const entries = Array.isArray(raw.severity) ? raw.severity.filter(isObject) : [];
  for (const type of ['CVSS_V4', 'CVSS_V3']) {
    for (const s of entries) {
      if (s.type !== type || typeof s.score !== 'string') continue;
      const scored = cachedBaseScore(s.score);
      if (scored === undefined) {
        tally.add('ignored unparsable CVSS vectors', type);
        continue;
      }
      return { cvssVector: s.score, cvssScore: scored.score, severity: severityFromScore(scored.score) };
    }
  }
  const word = isObject(raw.database_specific) ? raw.database_specific.severity : undefined;
  if (typeof word === 'string') {
    if (isKnownVendorSeverity(word)) return { severity: normaliseVendorSeverity(word) };
    tally.add('ignored unknown database_specific.severity values', word);
  }
  return {};
}

/**
 * One OSV record -> Advisory; undefined when every affected entry was skipped (the record is
 * only about ecosystems cavas does not scan).
 */
export function parseOsvRecord(
  raw: unknown,
  entryName: string,
  ctx: FeedContext,
  tally: WarningTally,
): Advisory | undefined {
  if (!isObject(raw)) throw feedError(ctx, `${entryName}: not an OSV record (top level is not an object)`);
  const id = raw.id;
  if (typeof id !== 'string' || id.trim() === '') throw feedError(ctx, `${entryName}: OSV record has no "id"`);
  const affectedRaw = raw.affected ?? [];
  if (!Array.isArray(affectedRaw)) throw feedError(ctx, `${id}: "affected" is not an array`);

  const affected: AffectedPackage[] = [];
  for (const a of affectedRaw) {
    const parsed = parseAffected(a, id, ctx, tally);
    if (parsed !== 'skipped') affected.push(parsed);
  }
  if (affectedRaw.length > 0 && affected.length === 0) return undefined;

  // Debian records list their CVE under `upstream`, GHSA/PYSEC under `aliases`.
  const aliases = [
    ...new Set([...stringArray(raw.aliases, 'aliases', id, ctx), ...stringArray(raw.upstream, 'upstream', id, ctx)]),
  ].filter((a) => a !== id);

  const advisory: Advisory = { id, aliases, source: 'osv', affected };
  const summary = oneLine(optionalString(raw.summary) ?? optionalString(raw.details));
  if (summary !== undefined) advisory.summary = summary;
  Object.assign(advisory, recordSeverity(raw, tally));
  // Timestamps stay strings as given: golang/vulndb uses 0001-01-01, some PYSEC are dated 2027.
  for (const k of ['published', 'modified', 'withdrawn'] as const) {
    const value = optionalString(raw[k]);
    if (value !== undefined) advisory[k] = value;
  }
  return advisory;
}

/** Loads an OSV all.zip; `limits` is there so tests can exercise the zip-bomb guard cheaply. */
export async function loadOsvZip(
  filePath: string,
  sink: AdvisorySink,
  ctx: FeedContext,
  limits: ZipLimits = OSV_ZIP_LIMITS,
): Promise<void> {
  const tally = new WarningTally();
  for await (const entry of readZipEntries(filePath, ctx, limits)) {
    const raw = parseJson(entry.data.toString('utf8'), ctx, `zip entry ${entry.name}`);
    const advisory = parseOsvRecord(raw, entry.name, ctx, tally);
    if (advisory !== undefined) sink.addAdvisory(advisory);
  }
  tally.flush(sink, ctx);
}

export const osvFeed: AdvisoryFeed = {
  name: 'osv',
  load: (filePath, sink, ctx) => loadOsvZip(filePath, sink, ctx),
};
