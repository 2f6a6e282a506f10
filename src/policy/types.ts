/**
 * Risk acceptance: findings the user has declared acceptable, either locally in a
 * .cavasignore file or through OpenVEX statements from the image's supplier.
 * docs/ignore.md describes both inputs and how they match.
 */
import type { Finding } from '../types.js';

/** One `ignore:` entry of a .cavasignore file, validated. */
export interface IgnoreEntry {
  /** Vulnerability id or alias (CVE-..., GHSA-..., DSA-...) or rule id (secret/private-key). */
  id: string;
  /** Vulnerabilities only: a package name, or a purl whose given parts must all match. */
  package?: string;
  /** Rule findings only: picomatch glob on the root-relative image path. */
  path?: string;
  reason: string;
  /** YYYY-MM-DD: the entry applies through the end of that day (UTC), then stops. */
  expires?: string;
  /** File the entry came from, and its 0-based position under `ignore:`. */
  source: string;
  index: number;
}

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexProduct {
  /** The product's @id as written (a purl, a CPE or any IRI). */
  id: string;
  /** identifiers.purl, else @id when it is a purl. */
  purl?: string;
  /** Purls of the subcomponents the statement narrows to (empty list: the product itself; '' for one named without a purl, which matches nothing). */
  subcomponents: string[];
}

/** One OpenVEX statement, validated and flattened. */
export interface VexStatement {
  /** vulnerability.name, vulnerability.@id (and its last path segment when a URL) and aliases. */
  vulnerabilityIds: string[];
  products: VexProduct[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  /** Statement timestamp, else the document's, in ms since the epoch: the latest statement wins. */
  timestamp?: number;
  /** File the statement came from, and its 0-based position in `statements`. */
  source: string;
  index: number;
}

export interface SuppressedFinding {
  finding: Finding;
  by: 'cavasignore' | 'openvex';
  /** The .cavasignore reason, or the VEX impact/action statement (else status and justification). */
  reason: string;
  /** .cavasignore entries: the expiry date that was in force. */
  expires?: string;
  /** OpenVEX: the justification label (component_not_present, vulnerable_code_not_in_execute_path, ...). */
  justification?: string;
  /** OpenVEX: which suppressing status applied (maps to CycloneDX analysis not_affected / resolved). */
  vexStatus?: 'not_affected' | 'fixed';
  /** File name of the .cavasignore or OpenVEX document. */
  source: string;
}
