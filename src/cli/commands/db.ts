/** `cavas db update` and `cavas db status`. */
import { Option, type Command } from 'commander';
import { AdvisoryDb, type DbStatus } from '../../advisory/store.js';
import { updateDatabase, type UpdateReport } from '../../advisory/update.js';
import { advisoryDbPath } from '../../util/cache-dir.js';

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago"; future times (clock skew) too. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown age';
  const future = ms < 0;
  const s = Math.abs(ms) / 1000;
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) {
      const text = `${n} ${name}${n === 1 ? '' : 's'}`;
      return future ? `in ${text}` : `${text} ago`;
    }
  }
  return 'just now';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countsLine(c: DbStatus['counts']): string {
  return `${c.advisories} advisories, ${c.affected} affected-package rows, ${c.kev} KEV entries`;
}

export function formatStatus(status: DbStatus, now: Date = new Date()): string {
  const lines = [
    `Database: ${status.path}`,
    `Built:    ${status.builtAt} (${formatAge(now.getTime() - Date.parse(status.builtAt))})`,
    `From:     ${status.origin}`,
    `Records:  ${countsLine(status.counts)}`,
    'Sources:',
  ];
  const byFeed = new Map<string, DbStatus['sources']>();
  for (const s of status.sources) byFeed.set(s.feed, [...(byFeed.get(s.feed) ?? []), s]);
  const width = Math.max(0, ...[...byFeed.keys()].map((k) => k.length));
  for (const [feed, files] of byFeed) {
    const records = files.reduce((n, f) => n + f.records, 0);
    // OSV zips are few and each is one ecosystem: worth naming; secdb branches are not.
    const detail = feed === 'osv' ? ` (${files.map((f) => f.name.split('/')[1] ?? f.name).join(', ')})` : '';
    lines.push(`  ${feed.padEnd(width)}  ${String(records).padStart(8)} records from ${plural(files.length, 'file')}${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatUpdateSummary(r: UpdateReport): string {
  return (
    `Updated ${r.dbPath} from ${r.origin} in ${(r.durationMs / 1000).toFixed(1)} s: ` +
    `${countsLine(r.counts)} (${plural(r.sources.length, 'file')})\n`
  );
}

export function registerDbCommands(program: Command, getCacheDir: () => string): void {
  const db = program.command('db').description('manage the local advisory database');

  db.command('update')
    .description('download the advisory feeds and rebuild the database')
    .option('--mirror <dir-or-url>', 'read the feeds from a mirror directory or a file:// or http(s):// base URL instead of upstream')
    .action(async (flags: { mirror?: string }) => {
      const report = await updateDatabase({
        cacheDir: getCacheDir(),
        mirror: flags.mirror,
        // Progress is for people watching; logs and pipes get the summary only.
        log: process.stderr.isTTY ? (m) => process.stderr.write(`cavas: ${m}\n`) : undefined,
      });
      for (const w of report.warnings) process.stderr.write(`cavas: warning: ${w}\n`);
      process.stdout.write(formatUpdateSummary(report));
    });

  db.command('status')
    .description('show when the advisory database was built and what it holds')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: 'text' | 'json' }) => {
      const store = AdvisoryDb.open(advisoryDbPath(getCacheDir()));
      try {
        const status = store.status();
        process.stdout.write(flags.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      } finally {
        store.close();
      }
    });
}
