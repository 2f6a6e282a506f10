/**
 * The normalised advisory model every feed parser produces and the store keeps.
 * Feeds know nothing about SQLite; the store knows nothing about feed formats.
 */
import type { Ecosystem, Severity } from '../types.js';

/** How an advisory applies to one package in one distribution release (or ecosystem). */
export type AffectedStatus = 'fixed' | 'unfixed' | 'not_affected';

export interface OsvRangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: OsvRangeEvent[];
}

export interface AffectedPackage {
  /** Ecosystem of the package as cavas names it: 'deb', 'apk', 'npm', 'pypi', ... */
  ecosystem: Ecosystem;
  /**
   * Distribution release the statement is about, normalised:
   * 'debian:12', 'alpine:v3.16', 'alpine:edge'; '' for language ecosystems.
   */
  distro: string;
  /** Package name; for Debian the SOURCE package, for Alpine the origin package. */
  package: string;
  status: AffectedStatus;
  /**
   * Simple case (tracker, secdb): affected iff installed < fixedVersion.
   * Undefined when unfixed or not affected, or when ranges are used instead.
   */
  fixedVersion?: string;
  /** OSV ranges, evaluated with the ecosystem's version scheme. */
  ranges?: AffectedRange[];
  /** OSV explicit affected versions. */
  versions?: string[];
  /** Vendor severity as given by the source (Debian urgency, ...), normalised. */
  vendorSeverity?: Severity;
}

export interface Advisory {
  /** Source-native id: CVE-2024-1234, DSA-5514-1, DEBIAN-CVE-2023-4911, GHSA-..., PYSEC-... */
  id: string;
  /** Other ids for the same vulnerability (OSV aliases + upstream, tracker: none). */
  aliases: string[];
  summary?: string;
  /** CVSS vector string (v3.x or v4.0) when the source gives one. */
  cvssVector?: string;
  cvssScore?: number;
  /** Severity derived from CVSS or given by the source for the whole record. */
  severity?: Severity;
  published?: string;
  modified?: string;
  withdrawn?: string;
  /** Feed name: 'osv', 'alpine-secdb', 'debian-tracker'. */
  source: string;
  affected: AffectedPackage[];
}

export interface KevEntry {
  cve: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
  vendorProject?: string;
  product?: string;
}

/** What a feed parser writes into. The store implements it inside one transaction. */
export interface MalwareHash {
  /** Lowercase hex. */
  sha256: string;
  /** Signature or family name, else the sample's file name. */
  name: string;
  /** The list it came from (mirror path or file name). */
  source: string;
}

export interface AdvisorySink {
  addAdvisory(a: Advisory): void;
  addKev(k: KevEntry): void;
  /** A file known to be malware, by SHA-256 (MalwareBazaar exports, plain hash lists). */
  addMalwareHash?(h: MalwareHash): void;
  /** A recoverable oddity in the feed (unknown ecosystem, record without id): counted and reported. */
  warn(message: string): void;
}
