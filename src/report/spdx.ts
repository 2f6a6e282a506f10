/**
 * `--format spdx`: an SPDX 2.3 JSON SBOM. The image is the described package; it contains
 * the operating system and every inventory package. Output is a pure function of the scan
 * result (no random namespace), so the same scan renders the same document.
 */
import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';
import type { ImageMeta, Package, ScanResult } from '../types.js';
import { CavasError } from '../util/errors.js';
import { spdxExpression } from './license.js';
import type { Reporter } from './reporter.js';

export interface SpdxChecksum {
  algorithm: 'SHA256';
  checksumValue: string;
}

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

export interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  primaryPackagePurpose?: 'CONTAINER' | 'OPERATING-SYSTEM';
  downloadLocation: 'NOASSERTION';
  filesAnalyzed: false;
  checksums?: SpdxChecksum[];
  sourceInfo?: string;
  licenseConcluded: 'NOASSERTION';
  licenseDeclared: string;
  copyrightText: 'NOASSERTION';
  externalRefs?: SpdxExternalRef[];
  comment?: string;
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS';
  relatedSpdxElement: string;
}

export interface SpdxExtractedLicense {
  licenseId: string;
  name: string;
  extractedText: string;
  comment: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
}

const DOCUMENT_ID = 'SPDXRef-DOCUMENT';
const IMAGE_ID = 'SPDXRef-Image';
const OS_ID = 'SPDXRef-OperatingSystem';
const NOASSERTION = 'NOASSERTION';
const OS_ECOSYSTEMS: ReadonlySet<Package['ecosystem']> = new Set(['deb', 'apk', 'rpm']);

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Characters an SPDX idstring allows ([A-Za-z0-9.-]); anything else becomes "-". */
function idString(text: string): string {
  const s = text.replace(/\+/g, 'plus').replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'x' : s;
}

/** SPDX wants UTC to the second (YYYY-MM-DDThh:mm:ssZ); cavas records milliseconds. */
function spdxDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new CavasError('BAD_INPUT', `scan time "${iso}" is not a date`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The purl when it parses; an SPDX purl ref must be a well-formed purl or tools reject it. */
function wellFormedPurl(purl: string): string | undefined {
  if (purl === '' || /\s/.test(purl)) return undefined;
  try {
    PackageURL.fromString(purl);
    return purl;
  } catch {
    return undefined;
  }
}

function purlRefs(purl: string | undefined): SpdxExternalRef[] | undefined {
  const p = purl === undefined ? undefined : wellFormedPurl(purl);
  return p ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p }] : undefined;
}

/** pkg:oci purl keyed by the manifest digest, named after the first tag's repository. */
function imagePurl(image: ImageMeta): string | undefined {
  const tag = image.tags[0];
  if (!image.manifestDigest || !tag) return undefined;
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  const repo = colon > slash ? tag.slice(0, colon) : tag;
  const version = colon > slash ? tag.slice(colon + 1) : undefined;
  const name = (repo.split('/').pop() ?? '').toLowerCase();
  // An OCI ref.name may be a bare tag ("3.16.9"): no repository name to build a purl from.
  if (!/^[a-z][a-z0-9._-]*$/.test(name)) return undefined;
  const qualifiers: Record<string, string> = {};
  if (image.platform.architecture) qualifiers.arch = image.platform.architecture;
  if (repo.includes('/')) qualifiers.repository_url = repo;
  if (version) qualifiers.tag = version;
  return new PackageURL('oci', undefined, name, image.manifestDigest, qualifiers, undefined).toString();
}

/**
 * Declared licenses: a valid SPDX expression as is, other text as a LicenseRef whose
 * extracted text is the original, so the document never states an SPDX meaning the
 * package did not.
 */
class Licenses {
  private readonly extracted = new Map<string, SpdxExtractedLicense>();

  declared(text: string | undefined): string {
    const t = text?.trim() ?? '';
    if (t === '') return NOASSERTION;
    const expression = spdxExpression(t);
    if (expression !== undefined) return expression;
    const safe = idString(t);
    // A lossy id carries a hash of the text so two texts never share one LicenseRef.
    const licenseId = `LicenseRef-${safe === t ? safe : `${safe}-${sha256Hex(t).slice(0, 8)}`}`;
    this.extracted.set(licenseId, {
      licenseId,
      name: t,
      extractedText: t,
      comment: 'License as declared in the package metadata; not a valid SPDX license expression.',
    });
    return licenseId;
  }

  infos(): SpdxExtractedLicense[] {
    return [...this.extracted.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : a.licenseId > b.licenseId ? 1 : 0));
  }
}

function imagePackage(image: ImageMeta): SpdxPackage {
  const configHex = /^sha256:([0-9a-f]{64})$/.exec(image.configDigest)?.[1];
  const p = image.platform;
  const notes = [`image ${image.ref}`, `platform ${[p.os, p.architecture, p.variant].filter(Boolean).join('/')}`];
  if (image.manifestDigest) notes.push(`manifest ${image.manifestDigest}`);
  return {
    name: image.tags[0] ?? image.ref,
    SPDXID: IMAGE_ID,
    ...(image.configDigest !== '' ? { versionInfo: image.configDigest } : {}),
    primaryPackagePurpose: 'CONTAINER',
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    // The config digest is the image ID, the same whichever transport the image came in.
    ...(configHex ? { checksums: [{ algorithm: 'SHA256' as const, checksumValue: configHex }] } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(purlRefs(imagePurl(image)) ? { externalRefs: purlRefs(imagePurl(image)) } : {}),
    comment: notes.join('; '),
  };
}

function packageComment(pkg: Package, image: ImageMeta): string {
  const diffId = image.layers.find((l) => l.index === pkg.layer)?.diffId;
  const parts = [`layer ${pkg.layer}${diffId ? ` (${diffId})` : ''}`];
  if (pkg.paths.length > 0) parts.push(`declared in ${pkg.paths.join(', ')}`);
  if (pkg.ownedBy) parts.push(`installed by OS package ${pkg.ownedBy}`);
  if (pkg.dev) parts.push('development dependency');
  return parts.join('; ');
}

/** Unique SPDXIDs: ecosystem, sanitized name and a hash of the purl; repeats get a counter. */
function packageIds(packages: readonly Package[]): string[] {
  const used = new Set<string>();
  return packages.map((pkg) => {
    const base = `SPDXRef-Package-${pkg.ecosystem}-${idString(pkg.name)}-${sha256Hex(pkg.purl).slice(0, 8)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

/** The SPDX document for a scan; exposed so tests can inspect it without re-parsing. */
export function buildSpdx(result: ScanResult): SpdxDocument {
  const { image, inventory } = result;
  const licenses = new Licenses();
  const packages: SpdxPackage[] = [imagePackage(image)];
  const relationships: SpdxRelationship[] = [{ spdxElementId: DOCUMENT_ID, relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE_ID }];

  if (inventory.os) {
    const os = inventory.os;
    packages.push({
      name: os.id,
      SPDXID: OS_ID,
      versionInfo: os.version,
      primaryPackagePurpose: 'OPERATING-SYSTEM',
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      ...(os.prettyName ? { comment: os.prettyName } : {}),
    });
    relationships.push({ spdxElementId: IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: OS_ID });
  }

  const ids = packageIds(inventory.packages);
  // The first OS package of a name owns language packages that name it (cavas records the name only).
  const osPackageIds = new Map<string, string>();
  inventory.packages.forEach((pkg, i) => {
    const id = ids[i] as string;
    if (OS_ECOSYSTEMS.has(pkg.ecosystem) && !osPackageIds.has(pkg.name)) osPackageIds.set(pkg.name, id);
  });

  inventory.packages.forEach((pkg, i) => {
    const id = ids[i] as string;
    const externalRefs = purlRefs(pkg.purl);
    packages.push({
      name: pkg.name,
      SPDXID: id,
      versionInfo: pkg.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      ...(pkg.source ? { sourceInfo: `built from source package ${pkg.source.name} ${pkg.source.version}` } : {}),
      licenseConcluded: NOASSERTION,
      licenseDeclared: licenses.declared(pkg.license),
      copyrightText: NOASSERTION,
      ...(externalRefs ? { externalRefs } : {}),
      comment: packageComment(pkg, image),
    });
    relationships.push({ spdxElementId: IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });

  inventory.packages.forEach((pkg, i) => {
    const owner = pkg.ownedBy !== undefined && !OS_ECOSYSTEMS.has(pkg.ecosystem) ? osPackageIds.get(pkg.ownedBy) : undefined;
    if (owner) relationships.push({ spdxElementId: owner, relationshipType: 'CONTAINS', relatedSpdxElement: ids[i] as string });
  });

  const extracted = licenses.infos();
  const doc: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: DOCUMENT_ID,
    name: image.ref,
    documentNamespace: '',
    creationInfo: { created: spdxDate(result.scannedAt), creators: [`Tool: ${result.tool.name}-${result.tool.version}`] },
    packages,
    relationships,
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
  // Same content, same namespace; any difference (packages, licenses, scan time) gives another.
  const imageKey = /^sha256:([0-9a-f]{64})$/.exec(image.configDigest)?.[1] ?? 'no-config';
  doc.documentNamespace = `urn:cavas:spdx:${imageKey}:${sha256Hex(JSON.stringify(doc)).slice(0, 32)}`;
  return doc;
}

export const spdxReporter: Reporter = {
  name: 'spdx',
  description: 'SPDX 2.3 JSON SBOM: the image, its OS and its packages',
  render(result) {
    return JSON.stringify(buildSpdx(result), null, 2) + '\n';
  },
};
