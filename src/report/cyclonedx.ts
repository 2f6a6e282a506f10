/**
 * `--format cyclonedx`: a CycloneDX 1.6 JSON BOM with the image as the subject, every
 * inventory package as a component and the findings as vulnerabilities (a VDR).
 * Built with @cyclonedx/cyclonedx-library so the document follows the spec's rules
 * (bom-ref uniqueness, tools shape per version) without us re-deriving them.
 */
import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec, SPDX } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { cvssBaseScore } from '../advisory/cvss.js';
import type { ImageMeta, Package, ScanResult, Severity, SuppressedFinding, VulnerabilityFinding as Finding } from '../types.js';
import { vulnerabilityFindings } from './kinds.js';
import { advisorySource } from './advisory-source.js';
import { compareFindings } from './order.js';
import type { Reporter } from './reporter.js';

const CDX_SEVERITY: Readonly<Record<Severity, Enums.Vulnerability.Severity>> = {
  CRITICAL: Enums.Vulnerability.Severity.Critical,
  HIGH: Enums.Vulnerability.Severity.High,
  MEDIUM: Enums.Vulnerability.Severity.Medium,
  LOW: Enums.Vulnerability.Severity.Low,
  // Debian's "unimportant": a real issue not worth a fix, which CycloneDX calls informational.
  NEGLIGIBLE: Enums.Vulnerability.Severity.Info,
  UNKNOWN: Enums.Vulnerability.Severity.Unknown,
};

/** CycloneDX rating method for a CVSS vector string, by its version prefix. */
export function ratingMethod(vector: string): Enums.Vulnerability.RatingMethod {
  const v = vector.trim();
  if (v.startsWith('CVSS:4.0/')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (v.startsWith('CVSS:3.1/')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (v.startsWith('CVSS:3.0/')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  // v2 vectors usually carry no prefix; Au: (authentication) exists only in v2.
  if (v.startsWith('CVSS:2.0/') || /^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(v)) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

function property(name: string, value: string): Models.Property {
  return new Models.Property(name, value);
}

function isLicenseId(token: string): boolean {
  return token.startsWith('LicenseRef-') || SPDX.isSupportedSpdxId(token.replace(/\+$/, ''));
}

/**
 * An SPDX id becomes an id, an expression made only of SPDX ids an expression, and
 * anything else (Debian's "GPL-2+", free text) a named license, so the BOM never claims an
 * SPDX meaning the package did not state.
 */
export function toLicense(text: string): Models.License | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const id = SPDX.fixupSpdxId(t);
  if (id !== undefined) return new Models.SpdxLicense(id);
  if (/\s(AND|OR|WITH)\s/.test(t)) {
    const tokens = t.split(/[\s()]+/).filter((x) => x !== '');
    const valid = tokens.every((tok, i) =>
      tok === 'AND' || tok === 'OR' || tok === 'WITH' || (tokens[i - 1] === 'WITH' ? /^[A-Za-z0-9.-]+$/.test(tok) : isLicenseId(tok)),
    );
    if (valid) return new Models.LicenseExpression(t);
  }
  return new Models.NamedLicense(t);
}

function splitTag(tag: string): { repo: string; tag?: string } {
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  return colon > slash ? { repo: tag.slice(0, colon), tag: tag.slice(colon + 1) } : { repo: tag };
}

/** pkg:oci purl, which is keyed by the manifest digest; none without one. */
function imagePurl(image: ImageMeta): string | undefined {
  if (!image.manifestDigest) return undefined;
  const first = image.tags[0];
  const parsed = first ? splitTag(first) : undefined;
  const name = (parsed?.repo.split('/').pop() ?? '').toLowerCase();
  if (name === '') return undefined;
  const qualifiers: Record<string, string> = {};
  if (parsed && parsed.repo.includes('/')) qualifiers.repository_url = parsed.repo;
  if (parsed?.tag) qualifiers.tag = parsed.tag;
  if (image.platform.architecture) qualifiers.arch = image.platform.architecture;
  return new PackageURL('oci', undefined, name, image.manifestDigest, qualifiers, undefined).toString();
}

function imageComponent(result: ScanResult): Models.Component {
  const image = result.image;
  const purl = imagePurl(image);
  const properties = new Models.PropertyRepository([property('cavas:image-ref', image.ref)]);
  if (image.manifestDigest) properties.add(property('cavas:manifest-digest', image.manifestDigest));
  const p = image.platform;
  properties.add(property('cavas:platform', [p.os, p.architecture, p.variant].filter(Boolean).join('/')));
  const os = result.inventory.os;
  if (os) {
    properties.add(property('cavas:os', os.prettyName ?? `${os.id} ${os.version}`));
    // the os-release fields the matcher keys releases by, so `scan sbom:` can match OS packages
    properties.add(property('cavas:os-id', os.id));
    properties.add(property('cavas:os-version', os.version));
    if (os.codename) properties.add(property('cavas:os-codename', os.codename));
    if (os.idLike?.length) properties.add(property('cavas:os-id-like', os.idLike.join(' ')));
  }
  // The config digest is the image ID: the same whichever transport the image came in.
  // A dir: root filesystem has none, so its ref stands in as the bom-ref.
  const configDigest = image.configDigest !== '' ? image.configDigest : undefined;
  return new Models.Component(Enums.ComponentType.Container, image.tags[0] ?? image.ref, {
    version: configDigest,
    bomRef: purl ?? configDigest ?? image.ref,
    purl,
    properties,
  });
}

function packageComponent(pkg: Package, bomRef: string, image: ImageMeta): Models.Component {
  const properties = new Models.PropertyRepository([property('cavas:layer', String(pkg.layer))]);
  const diffId = image.layers.find((l) => l.index === pkg.layer)?.diffId;
  if (diffId) properties.add(property('cavas:layer-diff-id', diffId));
  if (pkg.source) {
    properties.add(property('cavas:source-package', pkg.source.name));
    properties.add(property('cavas:source-package-version', pkg.source.version));
  }
  for (const path of pkg.paths) properties.add(property('cavas:path', path));
  // a language package an OS package installed is left to the OS advisories: `scan sbom:` must know
  if (pkg.ownedBy) properties.add(property('cavas:owned-by', pkg.ownedBy));
  if (pkg.dev !== undefined) properties.add(property('cavas:dev', String(pkg.dev)));
  if (pkg.modularityLabel) properties.add(property('cavas:modularity-label', pkg.modularityLabel));
  const licenses = new Models.LicenseRepository();
  const license = pkg.license ? toLicense(pkg.license) : undefined;
  if (license) licenses.add(license);
  return new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    purl: pkg.purl,
    bomRef,
    licenses,
    properties,
  });
}

function cdxSource(id: string): Models.Vulnerability.Source | undefined {
  const s = advisorySource(id);
  return s ? new Models.Vulnerability.Source({ name: s.name, url: s.url }) : undefined;
}

/** The distribution whose urgency a vendor severity is: the purl namespace (pkg:deb/debian/... -> Debian). */
function distroVendor(purl: string): string | undefined {
  try {
    const ns = PackageURL.fromString(purl).namespace;
    return ns ? ns.charAt(0).toUpperCase() + ns.slice(1) : undefined;
  } catch {
    return undefined;
  }
}

function ratingsFor(f: Finding): Models.Vulnerability.Rating[] {
  const ratings: Models.Vulnerability.Rating[] = [];
  if (f.cvss) {
    const score = f.cvss.score ?? cvssBaseScore(f.cvss.vector)?.score;
    ratings.push(
      new Models.Vulnerability.Rating({
        method: ratingMethod(f.cvss.vector),
        vector: f.cvss.vector,
        score,
        // Only when cavas' severity was derived from this very vector; a distro's urgency is its own rating.
        severity: f.severitySource === 'cvss' ? CDX_SEVERITY[f.severity] : undefined,
      }),
    );
  }
  if (!f.cvss || (f.severitySource !== 'cvss' && f.severity !== 'UNKNOWN')) {
    const vendor = f.severitySource === 'vendor' ? distroVendor(f.package.purl) : undefined;
    ratings.push(
      new Models.Vulnerability.Rating({
        severity: CDX_SEVERITY[f.severity],
        method: Enums.Vulnerability.RatingMethod.Other,
        source: vendor ? new Models.Vulnerability.Source({ name: vendor }) : undefined,
      }),
    );
  }
  return ratings;
}

function ratingKey(r: Models.Vulnerability.Rating): string {
  return JSON.stringify([r.method, r.vector, r.score, r.severity]);
}

/** Everything known about one vulnerability id across the packages it affects. */
interface VulnGroup {
  id: string;
  findings: Finding[];
}

function listing(names: Iterable<string>): string {
  const all = [...names];
  const last = all.pop() ?? '';
  return all.length > 0 ? `${all.join(', ')} and ${last}` : last;
}

function recommendation(findings: readonly Finding[]): string | undefined {
  const byFix = new Map<string, Set<string>>();
  const unfixed = new Set<string>();
  for (const f of findings) {
    if (f.status === 'fixed') {
      const names = byFix.get(f.fixedVersion) ?? new Set<string>();
      names.add(f.package.name);
      byFix.set(f.fixedVersion, names);
    } else {
      unfixed.add(f.package.name);
    }
  }
  const parts = [...byFix].map(([version, names]) => `Upgrade ${listing(names)} to ${version}.`);
  if (unfixed.size > 0) parts.push(`No fixed version of ${listing(unfixed)} is available yet.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function vulnerability(group: VulnGroup, refsByPurl: ReadonlyMap<string, Models.BomRef[]>): Models.Vulnerability.Vulnerability {
  const vuln = new Models.Vulnerability.Vulnerability({
    bomRef: group.id,
    id: group.id,
    source: cdxSource(group.id),
    description: group.findings.find((f) => f.title)?.title,
    recommendation: recommendation(group.findings),
  });

  const aliases = new Set(group.findings.flatMap((f) => f.aliases).filter((a) => a !== group.id));
  for (const alias of aliases) {
    vuln.references.add(new Models.Vulnerability.Reference(alias, cdxSource(alias) ?? new Models.Vulnerability.Source()));
  }

  const seenRatings = new Set<string>();
  const ratings = group.findings.flatMap(ratingsFor);
  // "unknown" says nothing once another package's finding carries a real rating.
  const informative = ratings.filter((r) => r.vector !== undefined || r.severity !== Enums.Vulnerability.Severity.Unknown);
  for (const rating of informative.length > 0 ? informative : ratings) {
    const key = ratingKey(rating);
    if (!seenRatings.has(key)) vuln.ratings.add(rating);
    seenRatings.add(key);
  }

  // One affect per component; two findings on the same package (say, from two feeds) share it.
  const affects = new Map<Models.BomRef, { versions: Set<string>; fixed: Set<string> }>();
  const fixedVersions = new Set<string>();
  for (const f of group.findings) {
    for (const ref of refsByPurl.get(f.package.purl) ?? []) {
      const a = affects.get(ref) ?? { versions: new Set<string>(), fixed: new Set<string>() };
      a.versions.add(f.installedVersion);
      if (f.status === 'fixed') a.fixed.add(f.fixedVersion);
      affects.set(ref, a);
    }
    fixedVersions.add(`${f.package.name}=${f.fixedVersion}`);
  }
  for (const v of fixedVersions) vuln.properties.add(property('cavas:fixed-version', v));
  for (const [ref, a] of affects) {
    const versions = new Models.Vulnerability.AffectedVersionRepository();
    for (const v of a.versions) {
      versions.add(new Models.Vulnerability.AffectedSingleVersion(v, { status: Enums.Vulnerability.AffectStatus.Affected }));
    }
    for (const v of a.fixed) {
      versions.add(new Models.Vulnerability.AffectedSingleVersion(v, { status: Enums.Vulnerability.AffectStatus.Unaffected }));
    }
    vuln.affects.add(new Models.Vulnerability.Affect(ref, { versions }));
  }

  if (group.findings.some((f) => f.kev)) vuln.properties.add(property('cavas:kev', 'true'));
  return vuln;
}

const VEX_JUSTIFICATION: Readonly<Record<string, Enums.Vulnerability.AnalysisJustification>> = {
  component_not_present: Enums.Vulnerability.AnalysisJustification.RequiresDependency,
  vulnerable_code_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: Enums.Vulnerability.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: Enums.Vulnerability.AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: Enums.Vulnerability.AnalysisJustification.ProtectedByMitigatingControl,
};

/**
 * Suppressed vulnerabilities go into the BOM as VEX: an OpenVEX not_affected/fixed statement
 * becomes not_affected/resolved; a .cavasignore entry is an accepted risk, so the flaw is
 * stated as exploitable with the response will_not_fix and the reason as detail.
 */
function addSuppressed(bom: Models.Bom, result: ScanResult, refsByPurl: ReadonlyMap<string, Models.BomRef[]>, takenIds: ReadonlySet<string>): void {
  const groups = new Map<string, { id: string; findings: Finding[]; s: SuppressedFinding }>();
  for (const s of result.suppressed ?? []) {
    if (s.finding.kind !== 'vulnerability') continue;
    const f = s.finding;
    const key = `${f.id}\0${s.by}\0${s.reason}`;
    const g = groups.get(key) ?? { id: f.id, findings: [], s };
    g.findings.push(f);
    groups.set(key, g);
  }
  const used = new Set(takenIds);
  for (const g of groups.values()) {
    const vuln = vulnerability({ id: g.id, findings: g.findings }, refsByPurl);
    // a bom-ref must be unique; the same id can also be reported for another, unsuppressed package
    let ref = g.id;
    for (let n = 2; used.has(ref); n++) ref = `${g.id}#suppressed-${n}`;
    used.add(ref);
    vuln.bomRef.value = ref;
    const { s } = g;
    vuln.analysis =
      s.by === 'openvex'
        ? new Models.Vulnerability.Analysis({
            state: s.vexStatus === 'fixed' ? Enums.Vulnerability.AnalysisState.Resolved : Enums.Vulnerability.AnalysisState.NotAffected,
            justification: s.justification ? VEX_JUSTIFICATION[s.justification] : undefined,
            detail: `${s.reason} (OpenVEX ${s.source})`,
          })
        : new Models.Vulnerability.Analysis({
            state: Enums.Vulnerability.AnalysisState.Exploitable,
            response: new Enums.Vulnerability.AnalysisResponseRepository([Enums.Vulnerability.AnalysisResponse.WillNotFix]),
            detail: `Accepted risk: ${s.reason}${s.expires ? ` (until ${s.expires})` : ''} (${s.source})`,
          });
    bom.vulnerabilities.add(vuln);
  }
}

/** The BOM model for a scan; exposed so tests and other serialisations can reuse it. */
export function buildBom(result: ScanResult): Models.Bom {
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID()}` });
  bom.metadata.timestamp = new Date(result.scannedAt);
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, result.tool.name, { version: result.tool.version }),
  );
  const image = imageComponent(result);
  bom.metadata.component = image;

  // bom-ref = purl. The same purl twice (one package version in two places) gets a
  // numbered ref so refs stay unique and the output stays the same from run to run.
  const refsByPurl = new Map<string, Models.BomRef[]>();
  for (const pkg of result.inventory.packages) {
    const refs = refsByPurl.get(pkg.purl) ?? [];
    const component = packageComponent(pkg, refs.length === 0 ? pkg.purl : `${pkg.purl}#${refs.length + 1}`, result.image);
    refs.push(component.bomRef);
    refsByPurl.set(pkg.purl, refs);
    bom.components.add(component);
    // The image contains every package; that is the only dependency edge cavas knows.
    image.dependencies.add(component.bomRef);
  }

  const groups = new Map<string, VulnGroup>();
  for (const f of vulnerabilityFindings(result.findings).sort(compareFindings)) {
    const group = groups.get(f.id) ?? { id: f.id, findings: [] };
    group.findings.push(f);
    groups.set(f.id, group);
  }
  for (const group of groups.values()) bom.vulnerabilities.add(vulnerability(group, refsByPurl));
  addSuppressed(bom, result, refsByPurl, new Set(groups.keys()));
  return bom;
}

const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));

export const cyclonedxReporter: Reporter = {
  name: 'cyclonedx',
  description: 'CycloneDX 1.6 JSON: the image, its packages and their vulnerabilities',
  render(result) {
    const doc = JSON.parse(serializer.serialize(buildBom(result))) as { dependencies?: Array<{ dependsOn?: unknown[] }> };
    // The library lists every component in the graph; an entry without dependsOn asserts
    // "depends on nothing", which cavas does not know for packages, so those entries go.
    const known = doc.dependencies?.filter((d) => (d.dependsOn?.length ?? 0) > 0) ?? [];
    if (known.length > 0) doc.dependencies = known;
    else delete doc.dependencies;
    return JSON.stringify(doc, null, 2) + '\n';
  },
};
