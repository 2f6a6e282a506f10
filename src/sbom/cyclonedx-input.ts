/**
 * A CycloneDX JSON BOM (1.4 to 1.6) as a scan input. Every component with a purl of a
 * known ecosystem is a package. Beside the purl, cavas reads its own properties (see
 * src/report/cyclonedx.ts) and the common ones of other image scanners: Trivy's source
 * package and layer properties, Syft's file locations.
 */
import type { OsInfo, Package } from '../types.js';
import { LayerIds, type ImageFacts } from './image.js';
import { sbomInput, type SbomInput } from './input.js';
import { digest, isObject, objects, SkipCounter, str, type JsonObject } from './json.js';
import { osFromNameVersion, osId } from './os.js';
import { packageFromPurl, type PackageFacts } from './package.js';

const SPEC_VERSIONS = ['1.4', '1.5', '1.6'];

/** A component's properties by name; a name may repeat (cavas:path). */
class Properties {
  private readonly byName = new Map<string, string[]>();

  constructor(component: JsonObject | undefined) {
    for (const p of objects(component?.properties)) {
      const name = str(p.name);
      const value = typeof p.value === 'string' ? p.value : undefined;
      if (name === undefined || value === undefined) continue;
      this.byName.set(name, [...(this.byName.get(name) ?? []), value]);
    }
  }

  get(name: string): string | undefined {
    return this.byName.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.byName.get(name) ?? [];
  }

  matching(pattern: RegExp): string[] {
    return [...this.byName].filter(([name]) => pattern.test(name)).flatMap(([, values]) => values);
  }
}

/** Every component, nested ones included, without recursion (the input is untrusted). */
function allComponents(top: unknown): JsonObject[] {
  const out: JsonObject[] = [];
  const stack = objects(top).reverse();
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    out.push(c);
    stack.push(...objects(c.components).reverse());
  }
  return out;
}

function layerNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,6}$/.test(text) ? Number(text) : undefined;
}

function licenseText(licenses: unknown): string | undefined {
  const texts = objects(licenses)
    .map((l) => str(l.expression) ?? (isObject(l.license) ? (str(l.license.id) ?? str(l.license.name)) : undefined))
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts.join(' AND ') : undefined;
}

/** Trivy splits a source version into epoch, version and release. */
function trivySourceVersion(props: Properties): string | undefined {
  const version = props.get('aquasecurity:trivy:SrcVersion');
  if (!version) return undefined;
  const epoch = props.get('aquasecurity:trivy:SrcEpoch');
  const release = props.get('aquasecurity:trivy:SrcRelease');
  return `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
}

function componentFacts(c: JsonObject, props: Properties, imageDiffIds: readonly string[]): { facts: PackageFacts; diffId?: string } {
  const group = str(c.group);
  const name = str(c.name);
  const facts: PackageFacts = {
    name: group && name ? `${group}${str(c.purl)?.startsWith('pkg:maven/') ? ':' : '/'}${name}` : name,
    version: str(c.version),
    license: licenseText(c.licenses),
  };
  const trivyDiffId = props.get('aquasecurity:trivy:LayerDiffID');
  const diffId = props.get('cavas:layer-diff-id') ?? trivyDiffId;
  const trivyLayer = trivyDiffId ? imageDiffIds.indexOf(trivyDiffId) : -1;
  facts.layer = layerNumber(props.get('cavas:layer')) ?? (trivyLayer >= 0 ? trivyLayer : undefined);

  const sourceName = props.get('cavas:source-package') ?? props.get('aquasecurity:trivy:SrcName');
  if (sourceName) facts.source = { name: sourceName, version: props.get('cavas:source-package-version') ?? trivySourceVersion(props) };

  const own = props.all('cavas:path');
  // other tools' paths are absolute or relative; cavas' are root-relative
  const others = () => [...props.all('aquasecurity:trivy:FilePath'), ...props.matching(/^syft:location:\d+:path$/)].map((p) => p.replace(/^\/+/, ''));
  facts.paths = own.length > 0 ? own : [...new Set(others())];

  const ownedBy = props.get('cavas:owned-by');
  if (ownedBy) facts.ownedBy = ownedBy;
  const dev = props.get('cavas:dev');
  if (dev === 'true' || dev === 'false') facts.dev = dev === 'true';
  const modularity = props.get('cavas:modularity-label');
  if (modularity) facts.modularityLabel = modularity;
  return { facts, diffId };
}

/** cavas writes the os-release fields as properties of the image component. */
function cavasOs(props: Properties): OsInfo | undefined {
  const id = props.get('cavas:os-id');
  if (!id) return undefined;
  const os: OsInfo = { id: osId(id), version: props.get('cavas:os-version') ?? '' };
  const codename = props.get('cavas:os-codename');
  if (codename) os.codename = codename;
  const pretty = props.get('cavas:os');
  // without a PRETTY_NAME the writer puts "id version" there
  if (pretty && pretty !== `${os.id} ${os.version}`) os.prettyName = pretty;
  const idLike = props.get('cavas:os-id-like')?.split(/\s+/).filter(Boolean);
  if (idLike?.length) os.idLike = idLike;
  return os;
}

function imageFacts(subject: JsonObject | undefined, props: Properties): ImageFacts {
  const name = str(subject?.name);
  const facts: ImageFacts = {
    name,
    configDigest: digest(subject?.version) ?? props.get('aquasecurity:trivy:ImageID'),
    manifestDigest: props.get('cavas:manifest-digest') ?? props.all('aquasecurity:trivy:RepoDigest').map((d) => d.slice(d.indexOf('@') + 1)).find((d) => digest(d)),
    platform: props.get('cavas:platform'),
    purl: str(subject?.purl),
  };
  const cavasRef = props.get('cavas:image-ref');
  const trivyTags = props.all('aquasecurity:trivy:RepoTag');
  // cavas names an untagged image by its ref, which is not a tag
  if (cavasRef !== undefined) facts.tags = name && name !== cavasRef ? [name] : [];
  else if (trivyTags.length > 0) facts.tags = trivyTags;
  else facts.tags = name && str(subject?.type) === 'container' ? [name] : [];
  return facts;
}

export function readCycloneDx(doc: JsonObject, ref: string): SbomInput {
  const warnings: string[] = [];
  const spec = str(doc.specVersion);
  if (!spec || !SPEC_VERSIONS.includes(spec)) warnings.push(`CycloneDX specVersion ${spec ?? '(none)'}: cavas reads 1.4 to 1.6 and read this one the same way`);
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const subject = isObject(metadata.component) ? metadata.component : undefined;
  const subjectProps = new Properties(subject);
  const imageDiffIds = subjectProps.all('aquasecurity:trivy:DiffID');

  const packages: Package[] = [];
  const layers = new LayerIds();
  const skipped = new SkipCounter();
  let osComponent: OsInfo | undefined;
  for (const c of allComponents(doc.components)) {
    const type = str(c.type);
    if (type === 'operating-system') {
      osComponent ??= osFromNameVersion(str(c.name), str(c.version), str(c.description));
      continue;
    }
    if (type === 'container') continue;
    const purl = str(c.purl);
    if (purl === undefined) {
      // Trivy groups packages under purl-less application components (one per lock file)
      if (type === 'library' || type === 'framework') skipped.add('no purl');
      continue;
    }
    const props = new Properties(c);
    const { facts, diffId } = componentFacts(c, props, imageDiffIds);
    const out = packageFromPurl(purl, facts);
    if ('skipped' in out) {
      skipped.add(out.skipped);
      continue;
    }
    layers.note(facts.layer, diffId);
    packages.push(out.pkg);
  }
  warnings.push(...skipped.warnings('CycloneDX component(s)'));
  return sbomInput({
    ref,
    image: imageFacts(subject, subjectProps),
    os: cavasOs(subjectProps) ?? osComponent,
    packages,
    layers,
    warnings,
  });
}
