/** `cavas server`, `cavas worker` and `cavas token`: continuous scanning for a fleet. */
import type { Command } from 'commander';
import { hashToken, generateToken } from '../../server/http/auth.js';
import type { TokenScope } from '../../server/model.js';
import { defaultDatabase, runServer, runWorker, type CoreOptions } from '../../server/run.js';
import { openStore } from '../../server/store/open.js';
import { parseDuration } from '../../util/duration.js';
import { webRoot } from '../../web/index.js';
import { CavasError } from '../../util/errors.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface CoreFlags {
  database?: string;
  queue?: string;
  queueName: string;
  concurrency?: string;
  mirror?: string;
  insecureRegistry: string[];
  logLevel: string;
  shutdownTimeout: string;
}

interface ServerFlags extends CoreFlags {
  host: string;
  port: string;
  hookSecret?: string;
  allowedRegistry: string[];
  refreshInterval: string;
  watch: string[];
  watchInterval: string;
  bodyLimit: string;
}

function positiveInt(text: string, what: string, min = 0, max = 65535): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new CavasError('USAGE', `${what} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

function coreOptions(flags: CoreFlags, cacheDir: string): CoreOptions {
  const redis = flags.queue !== undefined && flags.queue !== 'memory';
  if (flags.queue !== undefined && redis && !/^rediss?:\/\//.test(flags.queue)) throw new CavasError('USAGE', `--queue must be "memory" or a redis:// URL, got "${flags.queue}"`);
  return {
    cacheDir,
    database: flags.database,
    queue: flags.queue,
    queueName: flags.queueName,
    // with a shared Redis queue the workers do the scanning; in-process, the server does
    concurrency: flags.concurrency !== undefined ? positiveInt(flags.concurrency, '--concurrency', 0, 64) : redis ? 0 : 2,
    mirror: flags.mirror,
    registry: { insecureRegistries: flags.insecureRegistry },
    logLevel: flags.logLevel,
    shutdownTimeoutMs: parseDuration(flags.shutdownTimeout, '--shutdown-timeout'),
  };
}

function addCoreOptions(cmd: Command): Command {
  return cmd
    .option('--database <url>', 'sqlite:PATH, a file path, or postgres://user@host/db (default <cache-dir>/server/cavas.db)')
    .option('--queue <url>', 'job queue: memory (in-process, default) or redis://host:6379/0 (BullMQ, shared by workers)')
    .option('--queue-name <name>', 'name of the Redis queue (servers and workers of one fleet share it)', 'cavas-scans')
    .option('--concurrency <n>', 'scans at once in this process (default 2; 0 for a server with a Redis queue)')
    .option('--mirror <dir-or-url>', 'advisory mirror the server refreshes from (default: upstream feeds)')
    .option('--insecure-registry <host[:port]>', 'allow plain HTTP to this registry (repeatable; loopback always allowed)', collect, [])
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long running scans may finish before they go back to the queue', '30s');
}

export function registerServerCommands(program: Command, cacheDir: () => string): void {
  addCoreOptions(
    program
      .command('server')
      .description('run the HTTP API: registry webhooks start scans, inventories are stored and re-matched when advisories change')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on', '8080')
      .option('--hook-secret <secret>', 'shared secret registries send as "Authorization: Bearer <secret>" to POST /hooks/registry (better: CAVAS_HOOK_SECRET)')
      .option('--allowed-registry <host[:port]>', 'accept push events only from these registries (repeatable; default any)', collect, [])
      .option('--refresh-interval <duration>', 'refresh the advisory DB this often and re-match on change (0: only on POST /api/db/refresh)', '6h')
      .option('--watch <registry/repository>', 'poll this repository\'s tags for registries without webhooks (repeatable)', collect, [])
      .option('--watch-interval <duration>', 'how often --watch polls', '5m')
      .option('--body-limit <bytes>', 'largest request body accepted', String(1024 * 1024)),
  ).action(async (flags: ServerFlags) => {
    const core = coreOptions(flags, cacheDir());
    await runServer({
      ...core,
      host: flags.host,
      port: positiveInt(flags.port, '--port'),
      hookSecret: flags.hookSecret,
      allowedRegistries: flags.allowedRegistry.length > 0 ? flags.allowedRegistry : undefined,
      refreshIntervalMs: parseDuration(flags.refreshInterval, '--refresh-interval'),
      watch: flags.watch,
      watchIntervalMs: parseDuration(flags.watchInterval, '--watch-interval'),
      bodyLimit: positiveInt(flags.bodyLimit, '--body-limit', 1024, 64 * 1024 * 1024),
      webRoot: webRoot(),
    });
    // a scan abandoned at the shutdown timeout may still hold a socket open: it is in the queue again, so leave
    process.exit(0);
  });

  addCoreOptions(
    program
      .command('worker')
      .description('take scan jobs from the shared Redis queue (run as many as needed)')
      .option('--host <host>', 'address of the /healthz, /readyz and /metrics endpoint', '127.0.0.1')
      .option('--port <port>', 'port of that endpoint (0: none)', '0'),
  ).action(async (flags: CoreFlags & { host: string; port: string }) => {
    if (!flags.queue || flags.queue === 'memory') throw new CavasError('USAGE', 'cavas worker needs --queue redis://... (the in-process queue lives inside cavas server)');
    const core = coreOptions(flags, cacheDir());
    if (flags.concurrency === undefined) core.concurrency = 2;
    if (core.concurrency === 0) throw new CavasError('USAGE', 'a worker with --concurrency 0 would do nothing');
    await runWorker({ ...core, host: flags.host, port: positiveInt(flags.port, '--port') });
    process.exit(0);
  });

  const token = program.command('token').description('API tokens for cavas server');
  token
    .command('create')
    .description('create an API token and print it once (only its hash is stored)')
    .requiredOption('--name <name>', 'who or what uses it, e.g. ci or grafana')
    .option('--scope <scope>', 'read (GET API) or admin (also scans, refresh, subscriptions, tokens)', 'read')
    .option('--database <url>', 'the server\'s database (as for cavas server)')
    .action(async (flags: { name: string; scope: string; database?: string }) => {
      if (flags.scope !== 'read' && flags.scope !== 'admin') throw new CavasError('USAGE', `--scope must be read or admin, got "${flags.scope}"`);
      const store = await openStore(flags.database, defaultDatabase(cacheDir()));
      try {
        const plain = generateToken();
        await store.addToken({ name: flags.name, scope: flags.scope as TokenScope, hash: hashToken(plain) }, new Date().toISOString());
        process.stdout.write(plain + '\n');
      } finally {
        await store.close();
      }
    });
  token
    .command('list')
    .description('list API tokens (names and scopes, never the tokens)')
    .option('--database <url>', 'the server\'s database (as for cavas server)')
    .action(async (flags: { database?: string }) => {
      const store = await openStore(flags.database, defaultDatabase(cacheDir()));
      try {
        for (const t of await store.listTokens()) process.stdout.write(`${t.id}\t${t.scope}\t${t.name}\t${t.createdAt}\t${t.lastUsedAt ?? '-'}\n`);
      } finally {
        await store.close();
      }
    });
}
