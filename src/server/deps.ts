/**
 * What the HTTP layer needs from the rest of the server. The routes know nothing of how
 * scans run or how advisories are refreshed; src/server/service.ts provides these.
 */
import type { ScanRecord } from './model.js';
import type { JobQueue } from './queue/queue.js';
import type { Store } from './store/store.js';
import type { ServerMetrics } from './metrics.js';

export interface ScanRequest {
  /** What to pull: host/repo@sha256:... or host/repo:tag. */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  mediaType?: string;
  reason: ScanRecord['reason'];
}

export interface RefreshResult {
  /** Whether any advisory source changed. */
  changed: boolean;
  builtAt: string;
  /** Inventories re-matched (0 when nothing changed). */
  rematched: number;
  /** Finding events the re-match produced. */
  events: number;
  durationMs: number;
}

export interface ServerDeps {
  store: Store;
  queue: JobQueue;
  metrics: ServerMetrics;
  /**
   * Record a scan request and queue it, unless the digest is already stored: then only the
   * image and tag are recorded and the returned record says reused: true (nothing pulled).
   */
  requestScan(req: ScanRequest): Promise<ScanRecord>;
  /** Refresh the advisory DB now and re-match every stored inventory when it changed. */
  refreshAdvisories(): Promise<RefreshResult>;
  /** CycloneDX 1.6 JSON of a stored inventory; undefined when the digest is unknown. */
  sbom(digest: string): Promise<string | undefined>;
  /** Shared secret registries send in `Authorization: Bearer <secret>` on POST /hooks/registry. */
  hookSecret?: string;
  /** Registry hosts (host[:port]) whose push events are accepted; undefined: any. */
  allowedRegistries?: string[];
}
