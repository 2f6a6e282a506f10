/**
 * Alpine secdb feed: `<branch>/{main,community}.json` from secdb.alpinelinux.org, built from
 * the `secfixes` comments of aports: for each package, the version that fixed each id.
 */
import { isCavasError } from '../../util/errors.js';
import { compareVersions } from '../../version/index.js';
import type { Advisory, AdvisorySink } from '../model.js';
import { feedError, isObject, readJsonFeed, WarningTally, type AdvisoryFeed, type FeedContext } from './feed.js';

/**
 * A secfixes line is free text: "CVE-2017-14450 TALOS-2017-0499", "XSA-123 (comment)",
 * "CVE-????-????? TS-2024-005", "CVE_2019-2426", "CVE-2017-17434-1", "CVE-2021-35940.patch".
 *
 * CVE tokens are read by their prefix and written canonically (the `_` typo and `-1` /
 * `.patch` tails are upstream slips), so they match the CVE everyone else names.
 */
const CVE_TOKEN = /^CVE[-_](\d{4})-(\d{4,})/;
/**
 * Other vendors' ids: letters, then dash-separated alphanumeric parts, with a digit somewhere
 * (XSA-123, GHSA-xxxx-xxxx-xxxx, ALPINE-13661, TALOS-2017-0499, GNUTLS-SA-2020-06-03,
 * ZDI-CAN-22300, wnpa-sec-2017-21, DW202402-001), or letters glued to digits (VSV00014).
 * Comment words such as "(SMB)", "XPTI", "N/A" or "-" have no digit or carry punctuation.
 * Tokens starting with CVE that failed CVE_TOKEN ("CVE-46838", "CVE-????-?????") are placeholders.
 */
const OTHER_ID_TOKEN = /^(?:[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Z]+\d+)$/;

interface LineIds {
  ids: string[];
  aliases: string[];
}

/**
 * The ids one secfixes line names. All ids on a line are one fix; when it names CVEs those are
 * the advisory ids and the rest (XSA-, TALOS-, ...) become their aliases, so the same flaw is
 * not reported twice under two names.
 */
export function idsFromSecfixLine(line: string): LineIds {
  const cves: string[] = [];
  const others: string[] = [];
  for (const token of line.split(/\s+/)) {
    const cve = CVE_TOKEN.exec(token);
    if (cve) cves.push(`CVE-${cve[1]}-${cve[2]}`);
    else if (!/^CVE/i.test(token) && OTHER_ID_TOKEN.test(token) && /\d/.test(token)) others.push(token);
  }
  const uniqueCves = [...new Set(cves)];
  const uniqueOthers = [...new Set(others)];
  if (uniqueCves.length > 0) return { ids: uniqueCves, aliases: uniqueOthers };
  const [first, ...rest] = uniqueOthers;
  return first === undefined ? { ids: [], aliases: [] } : { ids: [first], aliases: rest };
}

interface Fix {
  version: string;
  aliases: Set<string>;
}

/** The lowest of two fixed versions; '0' (never affected) is below every real version. */
function lowerVersion(a: string, b: string, tally: WarningTally, pkg: string): string {
  if (a === '0' || b === '0') return '0';
  try {
    return compareVersions('apk', b, a) < 0 ? b : a;
  } catch (e) {
    if (!isCavasError(e)) throw e;
    tally.add('kept the first of two versions that could not be compared', `${pkg} ${a} / ${b}`);
    return a;
  }
}

export function parseAlpineSecdb(doc: unknown, ctx: FeedContext, sink: AdvisorySink): void {
  if (!isObject(doc)) throw feedError(ctx, 'not an Alpine secdb document (top level is not an object)');
  const branch = doc.distroversion;
  if (typeof branch !== 'string' || branch.trim() === '') throw feedError(ctx, 'secdb document has no "distroversion"');
  if (!Array.isArray(doc.packages)) throw feedError(ctx, 'secdb document has no "packages" array');
  const distro = `alpine:${branch.trim()}`;
  const tally = new WarningTally();

  for (const [i, entry] of doc.packages.entries()) {
    const pkg = isObject(entry) ? entry.pkg : undefined;
    if (!isObject(pkg) || typeof pkg.name !== 'string' || pkg.name === '') {
      throw feedError(ctx, `packages[${i}] has no "pkg.name"`);
    }
    const name = pkg.name;
    if (pkg.secfixes === undefined || pkg.secfixes === null) continue;
    if (!isObject(pkg.secfixes)) throw feedError(ctx, `package ${name}: "secfixes" is not an object`);

    // Several versions can name the same id (a fix later completed, a backport): keep the lowest.
    const fixes = new Map<string, Fix>();
    for (const [version, lines] of Object.entries(pkg.secfixes)) {
      if (lines === null) continue;
      if (!Array.isArray(lines)) throw feedError(ctx, `package ${name} ${version}: secfixes value is not a list`);
      for (const line of lines) {
        if (typeof line !== 'string') throw feedError(ctx, `package ${name} ${version}: secfixes entry is not a string`);
        const { ids, aliases } = idsFromSecfixLine(line);
        if (ids.length === 0) tally.add('ignored secfixes entries without a recognisable id', JSON.stringify(line.trim()));
        for (const id of ids) {
          const known = fixes.get(id);
          if (known === undefined) {
            fixes.set(id, { version, aliases: new Set(aliases) });
          } else {
            known.version = lowerVersion(known.version, version, tally, name);
            for (const a of aliases) known.aliases.add(a);
          }
        }
      }
    }

    for (const [id, fix] of fixes) {
      const notAffected = fix.version === '0';
      const advisory: Advisory = {
        id,
        aliases: [...fix.aliases].filter((a) => a !== id),
        source: 'alpine-secdb',
        affected: [
          {
            ecosystem: 'apk',
            distro,
            package: name,
            status: notAffected ? 'not_affected' : 'fixed',
            ...(notAffected ? {} : { fixedVersion: fix.version }),
          },
        ],
      };
      sink.addAdvisory(advisory);
    }
  }
  tally.flush(sink, ctx);
}

export const alpineSecdbFeed: AdvisoryFeed = {
  name: 'alpine-secdb',
  async load(filePath, sink, ctx) {
    parseAlpineSecdb(await readJsonFeed(filePath, ctx), ctx, sink);
  },
};
