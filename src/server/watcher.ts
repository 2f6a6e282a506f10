/**
 * For registries that cannot send push notifications: poll the configured repositories'
 * tags on an interval and request a scan for every tag whose digest moved.
 */
import { RegistryClient } from '../registry/client.js';
import { parseReference } from '../registry/reference.js';
import { describeError } from '../util/errors.js';
import type { RegistryOptions } from '../image/source.js';
import type { ScanRequest } from './deps.js';
import type { Logger } from './service.js';
import type { Store } from './store/store.js';

export interface WatcherOptions {
  /** host[:port]/repository, one per watched repository. */
  repositories: string[];
  intervalMs: number;
  store: Pick<Store, 'tagDigest'>;
  requestScan(req: ScanRequest): Promise<unknown>;
  registry?: RegistryOptions;
  logger: Logger;
}

export class RegistryWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly client: RegistryClient;

  constructor(private readonly opts: WatcherOptions) {
    this.client = new RegistryClient({ ...opts.registry, retries: 1 });
  }

  start(): void {
    const tick = (): void => {
      void this.pollOnce().finally(() => {
        this.timer = setTimeout(tick, this.opts.intervalMs);
        this.timer.unref();
      });
    };
    tick();
  }

  /** One pass over every repository; returns how many scans it requested. */
  pollOnce(): Promise<number> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async poll(): Promise<number> {
    let requested = 0;
    for (const repo of this.opts.repositories) {
      try {
        requested += await this.pollRepository(repo);
      } catch (e) {
        // one unreachable registry must not stop the others
        this.opts.logger.warn({ repository: repo, err: describeError(e) }, 'watch: poll failed');
      }
    }
    return requested;
  }

  private async pollRepository(repo: string): Promise<number> {
    const ref = parseReference(repo);
    let requested = 0;
    for (const tag of await this.client.listTags(ref)) {
      const manifest = await this.client.getManifest(ref, tag);
      const known = await this.opts.store.tagDigest(ref.registry, ref.repository, tag);
      if (known === manifest.digest) continue;
      await this.opts.requestScan({ reference: `${ref.registry}/${ref.repository}@${manifest.digest}`, registry: ref.registry, repository: ref.repository, tag, digest: manifest.digest, mediaType: manifest.mediaType, reason: 'watch' });
      requested++;
    }
    return requested;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
    this.client.close();
  }
}
