/** The feed parsers by name, as `db update` looks them up for each mirror path. */
import { alpineSecdbFeed } from './alpine-secdb.js';
import { debianTrackerFeed } from './debian-tracker.js';
import type { AdvisoryFeed } from './feed.js';
import { kevFeed } from './kev.js';
import { malwareHashesFeed } from './malware-hashes.js';
import { osvFeed } from './osv.js';

export type { AdvisoryFeed, FeedContext } from './feed.js';

export const feeds: Readonly<Record<AdvisoryFeed['name'], AdvisoryFeed>> = {
  osv: osvFeed,
  'alpine-secdb': alpineSecdbFeed,
  'debian-tracker': debianTrackerFeed,
  kev: kevFeed,
  'malware-hashes': malwareHashesFeed,
};
