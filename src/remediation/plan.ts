/**
 * Remediation facts for a scan result: for each finding, whether it came with the base image
 * or from the application's own build, and per package the one version that fixes all of
 * its fixable findings. Pure: reads the result, never the image or the advisory DB.
 */
import type { Ecosystem, ImageMeta, RuleFinding, ScanResult, Severity, VulnerabilityFinding } from '../types.js';
import { compareVersions } from '../version/index.js';
import { baseImageSplit, type BaseImageSplit } from './base-image.js';

export type Origin = 'base' | 'app';

export interface LayerRef {
  index: number;
  digest?: string;
  createdBy?: string;
}

export interface VulnerabilityRemediation {
  id: string;
  severity: Severity;
  purl: string;
  package: string;
  ecosystem: Ecosystem;
  installedVersion: string;
  /** A version, or 'unfixed'. */
  fixedVersion: string;
  status: 'fixed' | 'unfixed';
  origin: Origin;
  layer: LayerRef;
}

export interface PackageRemediation {
  purl: string;
  name: string;
  ecosystem: Ecosystem;
  installedVersion: string;
  /** 'base' only when every finding of the package is in a base layer. */
  origin: Origin;
  layers: number[];
  /** Lowest version that fixes every fixable finding: the highest of their fixed versions. */
  fixAllVersion?: string;
  /** Ids fixed by fixAllVersion. */
  fixed: string[];
  /** Ids no version fixes yet. */
  unfixed: string[];
}

export interface RuleRemediation {
  kind: RuleFinding['kind'];
  ruleId: string;
  severity: Severity;
  path?: string;
  field?: string;
  origin: Origin;
  layer?: LayerRef;
  /** Why that origin, for findings placed by something other than their layer. */
  reason?: string;
}

export interface RemediationTotals {
  vulnerabilities: number;
  /** Base-origin findings with a fix: gone after rebuilding on a base image that ships the fixes. */
  updatedBase: number;
  /** Base-origin findings no version fixes yet: a base update does not help (yet). */
  baseUnfixed: number;
  /** App-origin findings: they need a change to the application's build. */
  appChanges: number;
  /** ...of which a fixed version exists. */
  appFixable: number;
  appUnfixed: number;
  rules: { base: number; app: number };
}

export interface RemediationPlan {
  base: BaseImageSplit;
  vulnerabilities: VulnerabilityRemediation[];
  packages: PackageRemediation[];
  rules: RuleRemediation[];
  totals: RemediationTotals;
}

export function remediationPlan(result: ScanResult, opts: { baseLayers?: number } = {}): RemediationPlan {
  const base = baseImageSplit(result.image, opts);
  const originOf = (layer: number): Origin => (layer < base.baseLayers ? 'base' : 'app');

  const vulnerabilities = result.findings
    .filter((f): f is VulnerabilityFinding => f.kind === 'vulnerability')
    .map((f): VulnerabilityRemediation => ({
      id: f.id,
      severity: f.severity,
      purl: f.package.purl,
      package: f.package.name,
      ecosystem: f.package.ecosystem,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion,
      status: f.status,
      origin: originOf(f.layer),
      layer: layerRef(result.image, f.layer),
    }))
    .sort((a, b) => a.layer.index - b.layer.index || cmp(a.purl, b.purl) || cmp(a.id, b.id));

  const rules = result.findings
    .filter((f): f is RuleFinding => f.kind !== 'vulnerability')
    .map((f) => ruleRemediation(result.image, f, base, originOf))
    .sort(
      (a, b) =>
        (a.layer?.index ?? Infinity) - (b.layer?.index ?? Infinity) ||
        cmp(a.kind, b.kind) ||
        cmp(a.ruleId, b.ruleId) ||
        cmp(a.path ?? '', b.path ?? '') ||
        cmp(a.field ?? '', b.field ?? ''),
    );

  const count = (pred: (v: VulnerabilityRemediation) => boolean): number => vulnerabilities.filter(pred).length;
  const totals: RemediationTotals = {
    vulnerabilities: vulnerabilities.length,
    updatedBase: count((v) => v.origin === 'base' && v.status === 'fixed'),
    baseUnfixed: count((v) => v.origin === 'base' && v.status !== 'fixed'),
    appChanges: count((v) => v.origin === 'app'),
    appFixable: count((v) => v.origin === 'app' && v.status === 'fixed'),
    appUnfixed: count((v) => v.origin === 'app' && v.status !== 'fixed'),
    rules: { base: rules.filter((r) => r.origin === 'base').length, app: rules.filter((r) => r.origin === 'app').length },
  };

  return { base, vulnerabilities, packages: packagePlans(vulnerabilities), rules, totals };
}

function packagePlans(vulns: VulnerabilityRemediation[]): PackageRemediation[] {
  const byPurl = new Map<string, VulnerabilityRemediation[]>();
  for (const v of vulns) byPurl.set(v.purl, [...(byPurl.get(v.purl) ?? []), v]);
  return [...byPurl.values()]
    .map((group): PackageRemediation => {
      const first = group[0]!;
      const fixable = group.filter(isFixable);
      // versions of one ecosystem are totally ordered, so the highest fixed version is >= each
      // of them: the lowest single upgrade that fixes them all
      const fixAllVersion = fixable.reduce<string | undefined>(
        (hi, v) => (hi === undefined || compareVersions(v.ecosystem, v.fixedVersion, hi) > 0 ? v.fixedVersion : hi),
        undefined,
      );
      const p: PackageRemediation = {
        purl: first.purl,
        name: first.package,
        ecosystem: first.ecosystem,
        installedVersion: first.installedVersion,
        origin: group.every((v) => v.origin === 'base') ? 'base' : 'app',
        layers: [...new Set(group.map((v) => v.layer.index))].sort((a, b) => a - b),
        fixed: ids(fixable),
        unfixed: ids(group.filter((v) => !isFixable(v))),
      };
      if (fixAllVersion !== undefined) p.fixAllVersion = fixAllVersion;
      return p;
    })
    .sort((a, b) => cmp(a.purl, b.purl));
}

function isFixable(v: VulnerabilityRemediation): boolean {
  return v.status === 'fixed' && v.fixedVersion !== 'unfixed';
}

function ids(vs: VulnerabilityRemediation[]): string[] {
  return [...new Set(vs.map((v) => v.id))].sort(cmp);
}

function ruleRemediation(image: ImageMeta, f: RuleFinding, base: BaseImageSplit, originOf: (layer: number) => Origin): RuleRemediation {
  const r: RuleRemediation = { kind: f.kind, ruleId: f.ruleId, severity: f.severity, origin: 'app' };
  if (f.path !== undefined) r.path = f.path;
  if (f.field !== undefined) r.field = f.field;
  if (f.layer !== undefined) {
    r.origin = originOf(f.layer);
    r.layer = layerRef(image, f.layer);
    return r;
  }
  const step = /^history\[(\d+)\]$/.exec(f.field ?? '');
  if (step) {
    // a step that made no layer (ARG, ENV...) belongs to whichever build ran it
    r.origin = Number(step[1]) < base.baseHistorySteps ? 'base' : 'app';
    r.reason = `build step ${step[1]} of the ${r.origin === 'base' ? 'base image' : "application's build"}`;
    return r;
  }
  if (f.field?.startsWith('config.')) {
    if (image.layers.length > 0 && base.baseLayers === image.layers.length) {
      r.origin = 'base';
      r.reason = 'image config field of an image that is all base: nothing was built on it';
      return r;
    }
    // the final config is the application's: its Dockerfile can set USER, ENV, HEALTHCHECK...,
    // and an updated base keeps the same config, so rebuilding on it would not change this
    r.reason = "image config field: set (or inherited and not overridden) by the application's build";
    return r;
  }
  r.reason = 'not tied to one layer: counted as the application\'s';
  return r;
}

function layerRef(image: ImageMeta, index: number): LayerRef {
  const l = image.layers[index];
  const ref: LayerRef = { index };
  if (l?.digest) ref.digest = l.digest;
  if (l?.createdBy) ref.createdBy = l.createdBy;
  return ref;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
