/**
 * CISA Known Exploited Vulnerabilities catalog (known_exploited_vulnerabilities.json):
 * not advisories, but a flag the matcher puts on findings whose CVE is in it.
 */
import type { AdvisorySink, KevEntry } from '../model.js';
import { feedError, isObject, optionalString, readJsonFeed, type AdvisoryFeed, type FeedContext } from './feed.js';

export function parseKev(doc: unknown, ctx: FeedContext, sink: AdvisorySink): void {
  if (!isObject(doc) || !Array.isArray(doc.vulnerabilities)) {
    throw feedError(ctx, 'not a KEV catalog (no "vulnerabilities" array)');
  }
  for (const [i, v] of doc.vulnerabilities.entries()) {
    if (!isObject(v)) throw feedError(ctx, `vulnerabilities[${i}] is not an object`);
    const cve = optionalString(v.cveID)?.trim();
    if (cve === undefined || cve === '') throw feedError(ctx, `vulnerabilities[${i}] has no "cveID"`);
    const dateAdded = optionalString(v.dateAdded);
    if (dateAdded === undefined) throw feedError(ctx, `${cve} has no "dateAdded"`);
    const entry: KevEntry = { cve, dateAdded };
    for (const k of ['dueDate', 'knownRansomwareCampaignUse', 'vendorProject', 'product'] as const) {
      const value = optionalString(v[k]);
      if (value !== undefined) entry[k] = value;
    }
    sink.addKev(entry);
  }
}

export const kevFeed: AdvisoryFeed = {
  name: 'kev',
  async load(filePath, sink, ctx) {
    parseKev(await readJsonFeed(filePath, ctx), ctx, sink);
  },
};
