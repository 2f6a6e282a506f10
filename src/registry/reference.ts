/**
 * Docker-style image references (`alpine`, `user/app:1.0`, `host:5000/a/b@sha256:...`),
 * normalised the way the docker CLI does it so that users get the image they would get
 * from `docker pull`.
 */
import { CavasError } from '../util/errors.js';

export interface ImageReference {
  /** `docker.io` for Docker Hub, else host[:port] as written (IPv6 in brackets). */
  registry: string;
  /** Path on the registry, e.g. `library/alpine`. */
  repository: string;
  /** Absent only when a digest was given without a tag. */
  tag?: string;
  /** `sha256:<64 hex>`; when present it wins over the tag for fetching. */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's registry API lives on another host than the name users write. */
const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_LEGACY = 'index.docker.io';

// The grammar of github.com/distribution/reference (regexp.go), restricted to sha256.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::([0-9]+))?$`,
);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
const BARE_ID_RE = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;
const MAX_INPUT_SHOWN = 200;

function invalid(input: string, reason: string): CavasError {
  const shown = input.length > MAX_INPUT_SHOWN ? `${input.slice(0, MAX_INPUT_SHOWN)}...` : input;
  return new CavasError('USAGE', `invalid image reference ${JSON.stringify(shown)}: ${reason}`);
}

/**
 * A first path component is a registry host when it looks like one: it has a dot or a
 * port, is `localhost`, or has upper case (which a repository cannot have) — Docker's rule.
 */
function looksLikeRegistry(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component.toLowerCase() !== component;
}

export function parseReference(input: string): ImageReference {
  let rest = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  if (rest === '') throw invalid(input, 'empty reference');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(rest)) throw invalid(input, 'contains white space or control characters');
  if (BARE_ID_RE.test(rest)) {
    throw invalid(input, 'a 64-character hexadecimal string is an image ID, not a repository name');
  }

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digest.includes(':')) throw invalid(input, 'a digest must look like sha256:<64 hex digits>');
    const algorithm = digest.slice(0, digest.indexOf(':'));
    if (algorithm !== 'sha256') throw invalid(input, `unsupported digest algorithm "${algorithm}" (only sha256)`);
    if (!SHA256_RE.test(digest)) throw invalid(input, 'a sha256 digest has 64 lower-case hexadecimal digits');
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw invalid(input, 'a tag has up to 128 letters, digits, "_", "." or "-" and does not start with "." or "-"');
    }
  }
  if (rest === '') throw invalid(input, 'missing repository name');

  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash !== -1 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
    const port = DOMAIN_RE.exec(registry);
    if (!port) throw invalid(input, `"${registry}" is not a valid registry host`);
    if (port[1] !== undefined && (Number(port[1]) < 1 || Number(port[1]) > 65535)) {
      throw invalid(input, `port ${port[1]} is out of range`);
    }
    if (registry === DOCKER_HUB_LEGACY) registry = DOCKER_HUB;
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  if (repository === '') throw invalid(input, 'missing repository name');
  if (repository.toLowerCase() !== repository) throw invalid(input, 'repository name must be lowercase');
  if (!PATH_RE.test(repository)) {
    throw invalid(
      input,
      'repository path components are lower-case letters and digits separated by ".", "_", "__" or "-", joined by "/"',
    );
  }
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalid(input, `repository name is longer than ${MAX_NAME_LENGTH} characters`);
  }

  if (tag === undefined && digest === undefined) tag = 'latest';
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Canonical, fully qualified form: `docker.io/library/alpine:3.16@sha256:...`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${
    ref.digest !== undefined ? `@${ref.digest}` : ''
  }`;
}

/** The host[:port] that serves the registry API for a registry name. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** What to ask the registry for: the digest when known (immutable), else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
