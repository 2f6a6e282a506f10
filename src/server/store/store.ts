/**
 * Everything the server keeps, behind one interface with two backends: SQLite (the
 * embedded default, one file) and PostgreSQL (many server and worker processes).
 * Every method is async because PostgreSQL is; every write that must be all-or-nothing
 * (a scan's inventory with its findings) is one transaction.
 */
import type { Finding } from '../../types.js';
import type {
  DeliveryRecord,
  EventRecord,
  EventType,
  FindingDiff,
  FindingRecord,
  ImageRecord,
  LayerRecord,
  NewEvent,
  NewSubscription,
  ScanRecord,
  ScanStatus,
  StoredInventory,
  Subscription,
  TokenRecord,
  TokenScope,
} from '../model.js';

export interface ImageQuery {
  /** Substring of registry/repository or a tag. */
  q?: string;
  repository?: string;
  limit?: number;
  offset?: number;
}

export interface EventQuery {
  /** Only events with id greater than this (for polling). */
  afterId?: number;
  types?: EventType[];
  digest?: string;
  repository?: string;
  limit?: number;
  /** By id: 'asc' (default, for polling with afterId) or 'desc' (the latest first). */
  order?: 'asc' | 'desc';
}

export interface FindingQuery {
  /** Only open findings (default true). */
  open?: boolean;
  kind?: Finding['kind'];
}

/** One inventory's findings after a scan or re-match, for syncFindings. */
export interface FindingSync {
  digest: string;
  findings: Finding[];
  /**
   * Only these kinds are compared: open findings of other kinds stay as they are and input
   * findings of other kinds are ignored (a re-match passes ['vulnerability']). Default: all.
   */
  kinds?: Finding['kind'][];
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Apply pending versioned migrations; safe to call from many processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** A cheap round trip, for /readyz. */
  ping(): Promise<void>;

  // images and tags
  /** Insert or touch (last_seen) the image; move the tag to it when given. */
  upsertImage(image: { registry: string; repository: string; digest: string; mediaType?: string; tag?: string }, now: string): Promise<ImageRecord>;
  getImage(id: number): Promise<ImageRecord | undefined>;
  findImages(query: ImageQuery): Promise<{ total: number; images: ImageRecord[] }>;
  /** Images (every repository) whose manifest is this digest. */
  imagesByDigest(digest: string): Promise<ImageRecord[]>;
  /** Per digest, where its first image (the first of imagesByDigest) lives: one query for a re-match batch's events. */
  firstImageOf(digests: string[]): Promise<Map<string, { registry: string; repository: string }>>;
  /** The digest a tag points at now, as last seen. */
  tagDigest(registry: string, repository: string, tag: string): Promise<string | undefined>;

  // inventories and layers
  hasInventory(digest: string): Promise<boolean>;
  /**
   * Store a scan: the inventory, its layers (shared by digest) and its findings, in one
   * transaction. Storing the same digest again replaces the inventory and syncs the
   * findings, so a retried job never stores anything twice.
   */
  saveScan(inv: StoredInventory, layers: LayerRecord[], findings: Finding[], now: string): Promise<FindingDiff>;
  getInventory(digest: string): Promise<StoredInventory | undefined>;
  layersOf(digest: string): Promise<Array<LayerRecord & { index: number }>>;
  /** Inventories in digest order, a page at a time, for re-matching. */
  listInventories(afterDigest: string | undefined, limit: number): Promise<StoredInventory[]>;
  countInventories(): Promise<number>;

  // findings
  /**
   * Replace the open findings of each inventory with these: new ones get first_seen=now,
   * missing ones get fixed_at=now, unfixed ones that gained a fix are reported as
   * fixable. Batched: one transaction for the whole list.
   */
  syncFindings(batch: FindingSync[], now: string): Promise<FindingDiff[]>;
  findingsOf(digest: string, query?: FindingQuery): Promise<FindingRecord[]>;
  /** "Which images have CVE-X?": open findings with this id (or alias) and the images holding them. */
  findingsById(id: string): Promise<Array<FindingRecord & { images: ImageRecord[] }>>;

  // scans (job records; the queue carries the id)
  createScan(scan: Omit<ScanRecord, 'id' | 'status'>): Promise<ScanRecord>;
  getScan(id: number): Promise<ScanRecord | undefined>;
  /** Scans still queued or running, oldest first: an in-process queue re-queues them at start. */
  pendingScans(): Promise<ScanRecord[]>;
  updateScan(id: number, patch: { status: ScanStatus; digest?: string; error?: string; finishedAt?: string; reused?: boolean }): Promise<void>;

  // events
  addEvents(events: NewEvent[]): Promise<EventRecord[]>;
  listEvents(query: EventQuery): Promise<EventRecord[]>;
  /** These events, by id (a delivery's events, when it is sent again). */
  eventsByIds(ids: readonly number[]): Promise<EventRecord[]>;

  // notifications
  addSubscription(sub: NewSubscription, now: string): Promise<Subscription>;
  listSubscriptions(): Promise<Subscription[]>;
  deleteSubscription(id: number): Promise<boolean>;
  addDelivery(d: Omit<DeliveryRecord, 'id'>): Promise<DeliveryRecord>;
  updateDelivery(id: number, patch: Partial<Omit<DeliveryRecord, 'id' | 'subscriptionId' | 'eventIds' | 'createdAt'>>): Promise<void>;
  /** Newest first; `status` and `createdBefore` find deliveries a crash left pending. */
  listDeliveries(query: { subscriptionId?: number; status?: DeliveryRecord['status']; createdBefore?: string; limit?: number }): Promise<DeliveryRecord[]>;

  // API tokens: only the SHA-256 of a token is stored
  addToken(token: { name: string; scope: TokenScope; hash: string }, now: string): Promise<TokenRecord>;
  tokenByHash(hash: string): Promise<TokenRecord | undefined>;
  touchToken(id: number, now: string): Promise<void>;
  listTokens(): Promise<TokenRecord[]>;

  /**
   * Run fn unless another holder of the same lock (in any process sharing this store) is
   * running it; then resolve undefined at once. Server replicas use it so that one of them
   * re-matches the fleet after an advisory update, not all.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;

  // small settings: the advisory DB build last matched against, watcher cursors
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}
