/**
 * The data model shared by every stage. ScanResult is what `--format json` prints
 * (see docs/scan-result.md); bump SCAN_RESULT_SCHEMA when its shape changes.
 */

import type { SuppressedFinding } from './policy/types.js';

export type { SuppressedFinding } from './policy/types.js';

export interface RemediationSummary {
  /** Leading layers that came from the base image, and why cavas thinks so. */
  baseLayers: number;
  evidence: string;
  /** Vulnerability findings a rebuild on an updated base image would remove (base layers, fix available). */
  updatedBase: number;
  /** Base-layer findings with no fix yet anywhere. */
  baseUnfixed: number;
  /** Findings in the application's own layers: its Dockerfile or dependencies must change. */
  appChanges: number;
  /** Per package with vulnerabilities: the lowest version that fixes all of its fixable findings. */
  packages: Array<{ purl: string; name: string; installedVersion: string; origin: 'base' | 'app'; fixAllVersion?: string; unfixed: string[] }>;
}

export const SCAN_RESULT_SCHEMA = 'cavas.scan-result/v2';

/** Package ecosystems, named as in purl types where one exists. */
export type Ecosystem =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'go'
  | 'gem'
  | 'nuget'
  | 'composer'
  | 'cargo';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NEGLIGIBLE' | 'UNKNOWN';

/** Highest first: the order of tables and of --severity thresholds. */
export const SEVERITY_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'];

export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.indexOf(s);
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayerMeta {
  index: number;
  /** Digest of the blob as stored (compressed for OCI, uncompressed for docker-archive). */
  digest: string;
  /** Digest of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  size: number;
  createdBy?: string;
}

export interface ImageMeta {
  /** What the user asked for, e.g. docker-archive:debian-app.docker.tar.gz */
  ref: string;
  transport: string;
  /** Tags found in the source (RepoTags, ref.name annotations). */
  tags: string[];
  manifestDigest?: string;
  configDigest: string;
  platform: Platform;
  created?: string;
  layers: LayerMeta[];
  config: ImageConfig;
  /** The config's build history, empty_layer steps (ENV, EXPOSE, ...) included. */
  history?: HistoryEntry[];
}

export interface HistoryEntry {
  createdBy?: string;
  created?: string;
  emptyLayer: boolean;
  /** The layer this step produced; undefined for empty_layer steps. */
  layer?: number;
}

/** The parts of the OCI image config `config` object cavas reads. */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string>;
  Healthcheck?: unknown;
}

export interface OsInfo {
  /** os-release ID: debian, alpine, ubuntu, ... */
  id: string;
  /** VERSION_ID: 12, 3.16.9 */
  version: string;
  /** VERSION_CODENAME: bookworm (Debian-family) */
  codename?: string;
  prettyName?: string;
  /** ID_LIKE: the distributions this one derives from, closest first (rhel centos fedora). */
  idLike?: string[];
}

export interface Package {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  arch?: string;
  /** Source package (Debian Source:, Alpine origin) used for advisory matching. */
  source?: { name: string; version: string };
  license?: string;
  purl: string;
  /** Index of the layer that introduced this package at this version. */
  layer: number;
  /** Files that declare the package (status file, installed db, manifest). */
  paths: string[];
  /** Language packages: only needed to develop the application (npm devDependencies). */
  dev?: boolean;
  /** Language packages inside files an OS package installed: that OS package's name. */
  ownedBy?: string;
  /** RPM packages built for a module stream (MODULARITYLABEL): name:stream:version:context. */
  modularityLabel?: string;
}

export interface Inventory {
  os?: OsInfo;
  packages: Package[];
}

export interface VulnerabilityFinding {
  kind: 'vulnerability';
  /** Canonical id: the CVE (the lowest of a record's CVE aliases; a DSA-style bundle gives one finding per CVE), else the advisory id. */
  id: string;
  /** Every other id known for it (DSA, DEBIAN-CVE, GHSA...). */
  aliases: string[];
  title?: string;
  severity: Severity;
  /** Where the severity came from: vendor (distro urgency) or cvss. */
  severitySource?: 'vendor' | 'cvss' | 'advisory';
  cvss?: { vector: string; score?: number };
  package: { name: string; version: string; ecosystem: Ecosystem; purl: string; source?: { name: string; version: string } };
  installedVersion: string;
  /** Lowest version that fixes it, or 'unfixed'. */
  fixedVersion: string;
  status: 'fixed' | 'unfixed';
  kev: boolean;
  /** Advisory feeds that contributed. */
  sources: string[];
  layer: number;
}

/**
 * What config, secret and malware findings share: a rule, where it was found (a file in a
 * layer or a field of the image config) and how to fix it.
 */
export interface RuleFindingBase {
  /** Stable rule id, e.g. config/root-user, secret/aws-access-key, malware/eicar (docs/rules.md). */
  ruleId: string;
  severity: Severity;
  title: string;
  /** What exactly was found, one line. Never holds an unredacted secret. */
  message: string;
  remediation: string;
  /** CIS Docker Benchmark / NIST SP 800-190 sections. */
  references: string[];
  /** A file in the image (root-relative, no leading slash)... */
  path?: string;
  /** ...and the layer holding the version found. */
  layer?: number;
  /** 1-based line in the file (or Dockerfile). */
  line?: number;
  /** Or a field of the image config or history: config.User, config.Env[2], history[10]. */
  field?: string;
  /** The file was deleted or replaced by this later layer; its bytes are still in the image. */
  removedInLayer?: number;
}

export interface ConfigFinding extends RuleFindingBase {
  kind: 'config';
}

export interface SecretFinding extends RuleFindingBase {
  kind: 'secret';
  /** The secret redacted: its first 4 characters, then ****. */
  match: string;
}

export interface MalwareFinding extends RuleFindingBase {
  kind: 'malware';
  /** Signature or known-bad sample name. */
  signature: string;
  engine: 'eicar' | 'hash' | 'clamav';
  sha256?: string;
  /** Member of a zip/jar the hit is inside. */
  member?: string;
}

export type Finding = VulnerabilityFinding | ConfigFinding | SecretFinding | MalwareFinding;
export type RuleFinding = ConfigFinding | SecretFinding | MalwareFinding;

export interface ScanSummary {
  packages: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  /** Findings of each kind (vulnerability, config, secret, malware). */
  byKind?: Record<Finding['kind'], number>;
  /** Vulnerability findings with a fixed version. */
  fixable: number;
  /** Findings left out by .cavasignore or OpenVEX (listed in `suppressed`). */
  suppressed?: number;
}

export interface ScanResult {
  schema: typeof SCAN_RESULT_SCHEMA;
  tool: { name: 'cavas'; version: string };
  scannedAt: string;
  image: ImageMeta;
  inventory: Inventory;
  /** What was looked for (vuln, config, secret, malware); absent in v1 results means vuln only. */
  scanners?: string[];
  findings: Finding[];
  summary: ScanSummary;
  db?: { builtAt: string; sources: Array<{ name: string; records: number; fetchedAt: string }> };
  warnings: string[];
  /** Checks that could not run to the end (clamd unreachable): the result is incomplete. */
  errors?: string[];
  /** Where to fix: base image or application layers, and the version that fixes each package. */
  remediation?: RemediationSummary;
  /** Findings accepted on purpose (.cavasignore, OpenVEX), with why; not in `findings`. */
  suppressed?: SuppressedFinding[];
}
