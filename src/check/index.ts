/**
 * The checks beside vulnerability matching: config defects, secrets and malware. Before the
 * walk they say what it must capture (claims) and who watches every file (layer scanners);
 * after it they turn what was seen into findings.
 */
import type { ImageFilesystem } from '../image/filesystem.js';
import type { FileClaim, LayerAnalysis, LayerScanner } from '../image/layer.js';
import type { ConfigFinding, ImageMeta, Inventory, RuleFinding, SecretFinding } from '../types.js';
import { fsRules } from './config/fs-rules.js';
import { imageRules } from './config/image-rules.js';
import type { ImageCheckContext } from './config/context.js';
import { CONFIG_MAX_BYTES } from './files/file-rule.js';
import { fileRules } from './files/index.js';
import { malwareFindings, type HashLookup } from './malware/findings.js';
import { MalwareScanner } from './malware/scanner.js';
import { RemovalIndex } from './removal.js';
import { compareRuleFindings, findingFields } from './rule.js';
import { configSecretFindings, layerSecretFindings } from './secret/findings.js';
import { SecretScanner, type SecretScanOptions } from './secret/scanner.js';

export const SCANNER_NAMES = ['vuln', 'config', 'secret', 'malware'] as const;
export type ScannerName = (typeof SCANNER_NAMES)[number];
/** Everything but an external clamd: each costs little next to reading the layers once. */
export const DEFAULT_SCANNERS: readonly ScannerName[] = SCANNER_NAMES;

export interface CheckOptions {
  scanners: ReadonlySet<ScannerName>;
  secret?: SecretScanOptions;
  /** An extra layer scanner (clamd) whose results are under its name in LayerAnalysis.scans. */
  clamd?: LayerScanner;
}

/** Application config files the credential rules read; narrow paths, read whole. */
export const configFileClaim: FileClaim = {
  name: 'config-files',
  maxBytes: CONFIG_MAX_BYTES,
  wants: (path) => fileRules.some((r) => r.wants(path)),
};

export function checkClaims(opts: CheckOptions): FileClaim[] {
  return opts.scanners.has('config') ? [configFileClaim] : [];
}

export function layerScanners(opts: CheckOptions): LayerScanner[] {
  const out: LayerScanner[] = [];
  if (opts.scanners.has('secret')) out.push(new SecretScanner(opts.secret));
  if (opts.scanners.has('malware')) {
    out.push(new MalwareScanner());
    if (opts.clamd) out.push(opts.clamd);
  }
  return out;
}

export interface CheckInput {
  image: ImageMeta;
  fs: ImageFilesystem;
  inventory: Inventory;
  layers: readonly LayerAnalysis[];
  owners: ReadonlyMap<string, string>;
  /** Known-malware hash lookup (advisory DB plus --malware-hashes). */
  malwareLookup: HashLookup;
}

export function runChecks(input: CheckInput, opts: CheckOptions): RuleFinding[] {
  const out: RuleFinding[] = [];
  const removal = new RemovalIndex(input.layers);
  if (opts.scanners.has('config')) out.push(...configFindings(input));
  if (opts.scanners.has('secret')) out.push(...secretFindings(input, removal, opts));
  if (opts.scanners.has('malware')) out.push(...malwareFindings(input.layers, removal, input.malwareLookup, opts.clamd?.name));
  // grouped by kind as the scanners ran, each group worst first
  const kinds = ['config', 'secret', 'malware'];
  return out.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || compareRuleFindings(a, b));
}

function configFindings(input: CheckInput): ConfigFinding[] {
  const ctx: ImageCheckContext = { image: input.image, fs: input.fs, inventory: input.inventory, owners: input.owners };
  const out: ConfigFinding[] = [];
  for (const rule of [...imageRules, ...fsRules]) {
    for (const hit of rule.check(ctx)) out.push({ kind: 'config', ...findingFields(rule, hit) });
  }
  // credential files count as configured only where they are visible: a deleted tomcat-users.xml configures nothing
  for (const file of input.fs.history()) {
    if (file.removedInLayer !== undefined) continue;
    for (const rule of fileRules) {
      if (!rule.wants(file.path) || file.content.length > rule.maxBytes) continue;
      for (const hit of rule.check(file.content.toString('utf8'), file.path)) {
        out.push({ kind: 'config', ...findingFields(rule, { ...hit, path: file.path, layer: file.layer }) });
      }
    }
  }
  return out;
}

function secretFindings(input: CheckInput, removal: RemovalIndex, opts: CheckOptions): SecretFinding[] {
  return [...layerSecretFindings(input.layers, removal), ...configSecretFindings(input.image, opts.secret)];
}

