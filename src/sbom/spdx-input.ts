/**
 * An SPDX 2.3 JSON document as a scan input. Every package with a PACKAGE-MANAGER purl
 * reference of a known ecosystem is a package; the described CONTAINER package is the
 * image and the OPERATING-SYSTEM package names the release. SPDX has no properties, so
 * the rest comes from text fields: `sourceInfo` (cavas' "built from source package NAME
 * VERSION", Trivy's "built package from: NAME VERSION"), Trivy's "Key: value"
 * annotations, and in cavas' own documents the package comment (layer, files, owner).
 */
import type { OsInfo, Package } from '../types.js';
import { LayerIds, type ImageFacts } from './image.js';
import { sbomInput, type SbomInput } from './input.js';
import { digest, isObject, objects, SkipCounter, str, type JsonObject } from './json.js';
import { osFromNameVersion } from './os.js';
import { OS_ECOSYSTEMS, packageFromPurl, type PackageFacts } from './package.js';

const SOURCE_INFO = /^built (?:package )?from(?: source package)?:?\s+(\S+)(?:\s+(\S+))?/;
const NO_VALUE = new Set(['NOASSERTION', 'NONE']);

function purlOf(p: JsonObject): string | undefined {
  const ref = objects(p.externalRefs).find(
    (r) => str(r.referenceType) === 'purl' && /^PACKAGE[-_]MANAGER$/.test(str(r.referenceCategory) ?? ''),
  );
  return str(ref?.referenceLocator);
}

/** Trivy's per-package annotations: "LayerDiffID: sha256:...", "DiffID: ...". */
function annotations(p: JsonObject | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of objects(p?.annotations)) {
    const m = /^([A-Za-z]+):\s*(\S.*)$/.exec(str(a.comment) ?? '');
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

/** cavas' package comment: "layer 1 (sha256:...); declared in a, b; installed by OS package x; development dependency". */
function cavasComment(text: string | undefined): { layer?: number; diffId?: string; paths?: string[]; ownedBy?: string; dev?: boolean } {
  const out: ReturnType<typeof cavasComment> = {};
  for (const part of (text ?? '').split('; ')) {
    const layer = /^layer (\d{1,6})(?: \((sha256:[0-9a-f]{64})\))?$/.exec(part);
    if (layer) {
      out.layer = Number(layer[1]);
      if (layer[2]) out.diffId = layer[2];
    }
    const declared = /^declared in (.+)$/.exec(part);
    if (declared) out.paths = declared[1]!.split(', ');
    const owner = /^installed by OS package (\S+)$/.exec(part);
    if (owner) out.ownedBy = owner[1];
    if (part === 'development dependency') out.dev = true;
  }
  return out;
}

/** cavas' image comment: "image REF; platform os/arch; manifest sha256:...". */
function cavasImageComment(text: string | undefined): { ref?: string; platform?: string; manifest?: string } {
  const out: ReturnType<typeof cavasImageComment> = {};
  for (const part of (text ?? '').split('; ')) {
    const m = /^(image|platform|manifest) (.+)$/.exec(part);
    if (m?.[1] === 'image') out.ref = m[2];
    if (m?.[1] === 'platform') out.platform = m[2];
    if (m?.[1] === 'manifest') out.manifest = m[2];
  }
  return out;
}

class Licenses {
  private readonly extracted = new Map<string, string>();

  constructor(doc: JsonObject) {
    for (const l of objects(doc.hasExtractedLicensingInfos)) {
      const id = str(l.licenseId);
      const text = str(l.extractedText) ?? str(l.name);
      if (id && text) this.extracted.set(id, text);
    }
  }

  /** A LicenseRef cavas made from free text reads back as that text. */
  declared(p: JsonObject): string | undefined {
    const d = str(p.licenseDeclared);
    if (d === undefined || NO_VALUE.has(d)) return undefined;
    return this.extracted.get(d) ?? d;
  }
}

function described(doc: JsonObject): Set<string> {
  const docId = str(doc.SPDXID) ?? 'SPDXRef-DOCUMENT';
  const ids = new Set<string>();
  for (const id of Array.isArray(doc.documentDescribes) ? doc.documentDescribes : []) if (typeof id === 'string') ids.add(id);
  for (const r of objects(doc.relationships)) {
    const related = str(r.relatedSpdxElement);
    if (str(r.spdxElementId) === docId && str(r.relationshipType) === 'DESCRIBES' && related) ids.add(related);
  }
  return ids;
}

function imageFacts(subject: JsonObject | undefined, ours: boolean): ImageFacts {
  if (!subject) return {};
  const name = str(subject.name);
  const notes = annotations(subject);
  const comment = ours ? cavasImageComment(str(subject.comment)) : {};
  const checksum = objects(subject.checksums).find((c) => str(c.algorithm) === 'SHA256');
  const fromChecksum = ours && checksum ? `sha256:${str(checksum.checksumValue) ?? ''}` : undefined;
  const repoDigest = notes.get('RepoDigest')?.map((d) => d.slice(d.indexOf('@') + 1)).find((d) => digest(d));
  let tags: string[];
  if (ours) tags = name && name !== comment.ref ? [name] : [];
  else tags = notes.get('RepoTag') ?? (name ? [name] : []);
  return {
    name,
    tags,
    configDigest: digest(subject.versionInfo) ?? fromChecksum ?? notes.get('ImageID')?.[0],
    manifestDigest: comment.manifest ?? repoDigest,
    platform: comment.platform,
    purl: purlOf(subject),
  };
}

export function readSpdx(doc: JsonObject, ref: string): SbomInput {
  const warnings: string[] = [];
  const version = str(doc.spdxVersion);
  if (version !== 'SPDX-2.3') warnings.push(`${version ?? 'SPDX (no spdxVersion)'}: cavas reads SPDX-2.3 and read this one the same way`);
  const creators = isObject(doc.creationInfo) && Array.isArray(doc.creationInfo.creators) ? doc.creationInfo.creators : [];
  // the comment format is cavas' own: another tool's comments are free text
  const ours = creators.some((c) => typeof c === 'string' && c.startsWith('Tool: cavas-'));

  const all = objects(doc.packages);
  const describedIds = described(doc);
  const containers = all.filter((p) => str(p.primaryPackagePurpose) === 'CONTAINER');
  const subject = containers.find((p) => describedIds.has(str(p.SPDXID) ?? '')) ?? containers[0];
  const subjectDiffIds = annotations(subject).get('DiffID') ?? [];
  const licenses = new Licenses(doc);

  const packages: Package[] = [];
  const bySpdxId = new Map<string, Package>();
  const layers = new LayerIds();
  const skipped = new SkipCounter();
  let os: OsInfo | undefined;
  for (const p of all) {
    const purpose = str(p.primaryPackagePurpose);
    if (purpose === 'CONTAINER') continue;
    if (purpose === 'OPERATING-SYSTEM') {
      os ??= osFromNameVersion(str(p.name), str(p.versionInfo), ours ? str(p.comment) : undefined);
      continue;
    }
    const purl = purlOf(p);
    if (purl === undefined) {
      skipped.add('no purl');
      continue;
    }
    const facts: PackageFacts = { name: str(p.name), version: str(p.versionInfo), license: licenses.declared(p) };
    const source = SOURCE_INFO.exec(str(p.sourceInfo) ?? '');
    if (source) facts.source = { name: source[1]!, version: source[2] };
    const comment = ours ? cavasComment(str(p.comment)) : {};
    const trivyDiffId = annotations(p).get('LayerDiffID')?.[0];
    const trivyLayer = trivyDiffId ? subjectDiffIds.indexOf(trivyDiffId) : -1;
    facts.layer = comment.layer ?? (trivyLayer >= 0 ? trivyLayer : undefined);
    if (comment.paths) facts.paths = comment.paths;
    if (comment.ownedBy) facts.ownedBy = comment.ownedBy;
    if (comment.dev) facts.dev = true;
    const out = packageFromPurl(purl, facts);
    if ('skipped' in out) {
      skipped.add(out.skipped);
      continue;
    }
    layers.note(facts.layer, comment.diffId ?? trivyDiffId);
    packages.push(out.pkg);
    const id = str(p.SPDXID);
    if (id) bySpdxId.set(id, out.pkg);
  }
  ownersFromRelationships(doc, bySpdxId);
  warnings.push(...skipped.warnings('SPDX package(s)'));
  return sbomInput({ ref, image: imageFacts(subject, ours), os, packages, layers, warnings });
}

/** An OS package that CONTAINS a language package installed it (as cavas writes it; the comment says so too). */
function ownersFromRelationships(doc: JsonObject, bySpdxId: ReadonlyMap<string, Package>): void {
  for (const r of objects(doc.relationships)) {
    if (str(r.relationshipType) !== 'CONTAINS') continue;
    const owner = bySpdxId.get(str(r.spdxElementId) ?? '');
    const owned = bySpdxId.get(str(r.relatedSpdxElement) ?? '');
    if (owner && owned && OS_ECOSYSTEMS.has(owner.ecosystem) && !OS_ECOSYSTEMS.has(owned.ecosystem) && owned.ownedBy === undefined) {
      owned.ownedBy = owner.name;
    }
  }
}
