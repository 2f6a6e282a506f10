/**
 * What the server keeps and passes around: images seen in registries, their inventories
 * (shared by manifest digest), findings with their history, events and notifications.
 * The CLI's ScanResult stays the per-scan model; these are its stored form.
 */
import type { Finding, ImageMeta, Inventory, Severity } from '../types.js';

/** An image as a registry names it: one manifest digest in one repository. */
export interface ImageRecord {
  id: number;
  /** host[:port] of the registry, as the push event or request named it. */
  registry: string;
  repository: string;
  /** sha256:... of the manifest that was pushed (for an index: of the index). */
  digest: string;
  mediaType?: string;
  /** Tags currently pointing at this digest. */
  tags: string[];
  firstSeen: string;
  lastSeen: string;
  /** When an inventory for this digest was stored; undefined while the scan is pending. */
  scannedAt?: string;
  /** Open findings by severity (vulnerabilities and checks). */
  counts?: Record<Severity, number>;
}

/** The stored result of reading an image once: enough to re-match without pulling it again. */
export interface StoredInventory {
  digest: string;
  /** The ScanResult's image block (layers, config, history), secrets already redacted. */
  image: ImageMeta;
  inventory: Inventory;
  scannedAt: string;
}

/** A layer analysis, shared by every image that holds the layer. */
export interface LayerRecord {
  digest: string;
  diffId: string;
  size: number;
  createdBy?: string;
}

export type FindingChange = 'new' | 'fixable' | 'gone';

/** One finding of one inventory, with when it appeared and when it went away. */
export interface FindingRecord {
  /** Stable identity within an inventory: kind, id, package/path (see findingKey). */
  key: string;
  digest: string;
  kind: Finding['kind'];
  /** CVE/advisory id for vulnerabilities, rule id for checks. */
  id: string;
  severity: Severity;
  purl?: string;
  packageName?: string;
  installedVersion?: string;
  /** 'unfixed' or the lowest fixing version. */
  fixedVersion?: string;
  kev: boolean;
  path?: string;
  firstSeen: string;
  /** When a re-match or re-scan no longer found it. */
  fixedAt?: string;
  finding: Finding;
}

/** What a scan or a re-match changed for one inventory. */
export interface FindingDiff {
  digest: string;
  added: FindingRecord[];
  /** Were unfixed, now have a fixed version. */
  nowFixable: FindingRecord[];
  gone: FindingRecord[];
}

export type EventType = 'image.pushed' | 'image.scanned' | 'scan.failed' | 'finding.new' | 'finding.fixable' | 'finding.gone' | 'db.updated';

export interface EventRecord {
  id: number;
  at: string;
  type: EventType;
  registry?: string;
  repository?: string;
  digest?: string;
  /** Finding events: the vulnerability or rule id, its severity and package. */
  findingId?: string;
  severity?: Severity;
  data: Record<string, unknown>;
}

export type NewEvent = Omit<EventRecord, 'id'>;

export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

/** A request to scan one image (from a push, the API or the watcher). */
export interface ScanRecord {
  id: number;
  /** What to pull: host/repo@sha256:... or host/repo:tag. */
  reference: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  reason: 'push' | 'api' | 'watch';
  status: ScanStatus;
  requestedAt: string;
  finishedAt?: string;
  error?: string;
  /** True when the digest was already stored and nothing was pulled. */
  reused?: boolean;
}

export type SubscriptionKind = 'webhook' | 'slack';

export interface Subscription {
  id: number;
  name: string;
  kind: SubscriptionKind;
  url: string;
  /** HMAC-SHA256 key for X-Cavas-Signature (webhook kind). Never returned by the API. */
  secret?: string;
  /** Glob over "registry/repository" or "repository" (picomatch); undefined: every image. */
  repositoryPattern?: string;
  minSeverity?: Severity;
  onlyFixable: boolean;
  onlyKev: boolean;
  createdAt: string;
}

export type NewSubscription = Omit<Subscription, 'id' | 'createdAt'>;

export interface DeliveryRecord {
  id: number;
  subscriptionId: number;
  /** Events this delivery carried. */
  eventIds: number[];
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseStatus?: number;
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
}

export type TokenScope = 'read' | 'admin';

export interface TokenRecord {
  id: number;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt?: string;
}
