/**
 * Debian security tracker feed: the tracker's `/tracker/data/json`, keyed by source package,
 * then by CVE (or TEMP-) id, then by release codename.
 */
import { debianMajorForCodename } from '../debian-releases.js';
import type { Advisory, AdvisorySink, AffectedPackage } from '../model.js';
import { isKnownVendorSeverity, normaliseVendorSeverity } from '../severity.js';
import {
  feedError,
  isObject,
  oneLine,
  optionalString,
  readJsonFeed,
  WarningTally,
  type AdvisoryFeed,
  type FeedContext,
} from './feed.js';

/**
 * 'bookworm' -> 'debian:12', matching OSV's 'Debian:12' and os-release VERSION_ID. Releases
 * without a number ('sid', 'experimental') keep their codename: 'debian:sid'.
 */
export function debianDistro(codename: string): string {
  return `debian:${debianMajorForCodename(codename) ?? codename.trim().toLowerCase()}`;
}

function parseRelease(
  codename: string,
  rel: unknown,
  pkg: string,
  where: string,
  ctx: FeedContext,
  tally: WarningTally,
): AffectedPackage | undefined {
  if (!isObject(rel)) throw feedError(ctx, `${where}: release ${codename} is not an object`);
  const base: AffectedPackage = { ecosystem: 'deb', distro: debianDistro(codename), package: pkg, status: 'unfixed' };
  const urgency = optionalString(rel.urgency);
  if (urgency !== undefined) {
    if (!isKnownVendorSeverity(urgency)) tally.add('unknown urgencies (kept as UNKNOWN)', urgency);
    // UNKNOWN ('not yet assigned', 'end-of-life') is left out so consumers fall back to CVSS.
    const vendor = normaliseVendorSeverity(urgency);
    if (vendor !== 'UNKNOWN') base.vendorSeverity = vendor;
  }
  switch (rel.status) {
    case 'open':
    case 'undetermined':
      return base;
    case 'resolved': {
      const fixed = optionalString(rel.fixed_version)?.trim();
      if (fixed === undefined || fixed === '') {
        tally.add('skipped resolved releases without a fixed_version', `${where} ${codename}`);
        return undefined;
      }
      // The tracker writes fixed_version "0" for releases that never had the flaw.
      if (fixed === '0') return { ...base, status: 'not_affected' };
      return { ...base, status: 'fixed', fixedVersion: fixed };
    }
    default:
      tally.add('skipped releases with an unknown status', String(rel.status));
      return undefined;
  }
}

export function parseDebianTracker(doc: unknown, ctx: FeedContext, sink: AdvisorySink): void {
  if (!isObject(doc)) throw feedError(ctx, 'not a Debian tracker document (top level is not an object)');
  const tally = new WarningTally();
  for (const [pkg, vulns] of Object.entries(doc)) {
    if (!isObject(vulns)) throw feedError(ctx, `source package ${pkg}: value is not an object`);
    for (const [id, vuln] of Object.entries(vulns)) {
      const where = `${pkg} ${id}`;
      if (id.trim() === '') throw feedError(ctx, `source package ${pkg}: entry with an empty id`);
      if (!isObject(vuln)) throw feedError(ctx, `${where}: entry is not an object`);
      const releases = vuln.releases ?? {};
      // The real tracker writes an empty list instead of an empty object for some entries.
      if (Array.isArray(releases) && releases.length === 0) {
        sink.addAdvisory(advisoryFor(id, vuln, []));
        continue;
      }
      if (!isObject(releases)) throw feedError(ctx, `${where}: "releases" is not an object`);
      const affected: AffectedPackage[] = [];
      for (const [codename, rel] of Object.entries(releases)) {
        const parsed = parseRelease(codename, rel, pkg, where, ctx, tally);
        if (parsed !== undefined) affected.push(parsed);
      }
      sink.addAdvisory(advisoryFor(id, vuln, affected));
    }
  }
  tally.flush(sink, ctx);
}

function advisoryFor(id: string, vuln: Record<string, unknown>, affected: AffectedPackage[]): Advisory {
  const advisory: Advisory = { id, aliases: [], source: 'debian-tracker', affected };
  const summary = oneLine(optionalString(vuln.description));
  if (summary !== undefined) advisory.summary = summary;
  return advisory;
}

export const debianTrackerFeed: AdvisoryFeed = {
  name: 'debian-tracker',
  async load(filePath, sink, ctx) {
    parseDebianTracker(await readJsonFeed(filePath, ctx), ctx, sink);
  },
};
