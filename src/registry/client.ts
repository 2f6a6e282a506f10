/**
 * OCI distribution (v2) pull client: manifests and blobs, with registry auth, retries,
 * redirects and digest verification. Read-only; it never pushes.
 *
 * Scheme policy: https always, except plain http for loopback registries (localhost,
 * 127.0.0.0/8, [::1]) and for hosts listed in `insecureRegistries` (an entry without a
 * port matches every port of that host). There is no https-then-http fallback, so a
 * hostile network cannot downgrade a registry that is meant to use TLS.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CavasError, describeError } from '../util/errors.js';
import { CAVAS_VERSION } from '../util/version.js';
import {
  LOGIN_HINT,
  TokenCache,
  basicAuthorization,
  fetchBearerToken,
  parseWwwAuthenticate,
  pickChallenge,
  redactSecrets,
  resolveCredentials,
  type AuthChallenge,
  type Credentials,
  type ResolvedCredentials,
} from './auth.js';
import { HttpTransport, IdleTimeoutError, readBody, type HttpRequest, type HttpResponse } from './http.js';
import { manifestReference, registryApiHost, type ImageReference } from './reference.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const KNOWN_MANIFEST_TYPES: readonly string[] = Object.values(MEDIA_TYPES);
const SCHEMA1_TYPES = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];
const MANIFEST_ACCEPT = KNOWN_MANIFEST_TYPES.join(', ');

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BODY = 16 * 1024;
const MAX_REDIRECTS = 5;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export type RequestKind = 'manifest' | 'blob' | 'token';

export interface RegistryClientOptions {
  /** host[:port] entries spoken to in plain http (see the module comment). */
  insecureRegistries?: string[];
  /** PEM file of extra trusted CAs; SSL_CERT_FILE is read as well when set. */
  caCertFile?: string;
  /** Wins over CAVAS_USERNAME/CAVAS_PASSWORD and the docker config. */
  credentials?: Credentials;
  /** Idle timeout: connecting, waiting for headers, or between body bytes. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt on 429/502/503/504 and transient network errors. Default 4. */
  retries?: number;
  /** Debug lines; never contain credentials or signed URL query strings. */
  log?: (message: string) => void;
  userAgent?: string;
  /** Environment for CAVAS_USERNAME/PASSWORD, DOCKER_CONFIG, SSL_CERT_FILE and helper PATH. */
  env?: NodeJS.ProcessEnv;
  /** Home directory holding .docker/config.json; os.homedir() by default. */
  homeDir?: string;
  /** First backoff delay; doubles per attempt, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Cap on a server's Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface ManifestResponse {
  mediaType: string;
  /** sha256 of the body (the reference's digest when fetched by digest). */
  digest: string;
  body: Buffer;
}

interface RegistryAuthState {
  challenge?: AuthChallenge;
  creds?: Promise<ResolvedCredentials | undefined>;
  resolved?: ResolvedCredentials;
}

/** A transport error with the facts needed to word it and decide on a retry. */
interface NetworkFailure {
  reason: string;
  /** Worth another attempt before any byte was received. */
  retryBeforeResponse: boolean;
}

const TLS_TRUST_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errors?: unknown[] };
  if (typeof err?.code === 'string') return err.code;
  // Happy-eyeballs connects fail with an AggregateError of the per-address errors.
  if (Array.isArray(err?.errors)) return errorCode(err.errors[0]);
  return undefined;
}

function classifyNetworkError(e: unknown): NetworkFailure {
  if (e instanceof IdleTimeoutError) return { reason: e.message, retryBeforeResponse: false };
  const code = errorCode(e) ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: 'connection refused', retryBeforeResponse: true };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return { reason: 'connection reset', retryBeforeResponse: true };
    case 'EAI_AGAIN':
      return { reason: 'temporary DNS failure', retryBeforeResponse: true };
    case 'ENOTFOUND':
      return { reason: 'host not found', retryBeforeResponse: false };
    case 'ETIMEDOUT':
      return { reason: 'connection timed out', retryBeforeResponse: false };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: 'host unreachable', retryBeforeResponse: false };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return {
        reason: `TLS handshake failed (${code}); if the registry serves plain http, pass --insecure-registry`,
        retryBeforeResponse: false,
      };
  }
  if (TLS_TRUST_CODES.has(code)) {
    return {
      reason: `TLS certificate not trusted (${code}); pass the registry's CA certificate with --ca-cert or SSL_CERT_FILE`,
      retryBeforeResponse: false,
    };
  }
  return { reason: code !== '' ? `${code}: ${describeError(e)}` : describeError(e), retryBeforeResponse: false };
}

/** Errors that may go away when a stalled or cut body download is resumed. */
function resumableMidBody(e: unknown): boolean {
  if (e instanceof IdleTimeoutError) return true;
  const code = errorCode(e);
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function hostName(registry: string): string {
  const h = registry.toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function normaliseRegistryEntry(entry: string): string {
  return entry
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** Whether a registry (host[:port]) is spoken to in plain http. */
export function usesPlainHttp(registry: string, insecureRegistries: readonly string[] = []): boolean {
  const host = hostName(registry);
  if (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  const full = registry.toLowerCase();
  return insecureRegistries.some((raw) => {
    const entry = normaliseRegistryEntry(raw);
    if (entry === full) return true;
    const hasPort = entry.startsWith('[') ? entry.includes(']:') : entry.includes(':');
    return !hasPort && hostName(entry) === host;
  });
}

/** Retry-After in ms (delta seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function safeUrl(url: URL): string {
  // Blob storage redirects carry signatures in the query string.
  return `${url.origin}${url.pathname}`;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function digestAlgorithm(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

export class RegistryClient {
  /** HTTP requests sent, by kind (retries and redirect hops each count). */
  readonly requestCounts: Record<RequestKind, number> = { manifest: 0, blob: 0, token: 0 };

  private readonly transport: HttpTransport;
  private readonly insecure: readonly string[];
  /** The scheme each registry answered to (see chooseScheme). */
  private readonly schemes = new Map<string, 'http' | 'https'>();
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly log: (message: string) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly tokens = new TokenCache();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly authStates = new Map<string, RegistryAuthState>();

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.env = opts.env ?? process.env;
    this.log = opts.log ?? (() => {});
    this.insecure = opts.insecureRegistries ?? [];
    this.retries = Math.max(0, opts.retries ?? 4);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    const caPem: string[] = [];
    if (opts.caCertFile !== undefined) caPem.push(readCaFile(opts.caCertFile));
    const sslCertFile = this.env.SSL_CERT_FILE;
    if (sslCertFile) {
      try {
        caPem.push(readCaFile(sslCertFile));
      } catch (e) {
        this.log(`SSL_CERT_FILE: ${describeError(e)}; ignoring it`);
      }
    }
    this.transport = new HttpTransport({
      caPem,
      timeoutMs: opts.timeoutMs ?? 30_000,
      userAgent: opts.userAgent ?? `cavas/${CAVAS_VERSION}`,
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.transport.close();
  }

  /**
   * The manifest or index named by `reference` (default: the ref's digest, else its tag).
   * Fetching by digest verifies the body against it.
   */
  async getManifest(ref: ImageReference, reference: string = manifestReference(ref)): Promise<ManifestResponse> {
    const byDigest = reference.includes(':');
    const what = `${ref.registry}/${ref.repository}${byDigest ? '@' : ':'}${reference}`;
    if (byDigest && !DIGEST_RE.test(reference)) {
      throw new CavasError('BAD_IMAGE', `${what}: not a sha256 or sha512 digest`);
    }
    const res = await this.send('manifest', ref, `/v2/${ref.repository}/manifests/${reference}`, {
      accept: MANIFEST_ACCEPT,
    });
    if (res.status === 404) {
      const detail = await this.errorDetail(ref.registry, res);
      throw new CavasError('NOT_FOUND', `${what}: manifest not found (404${detail})`);
    }
    if (res.status !== 200) throw await this.statusError(ref, res, `${what}: manifest`);

    let body: Buffer;
    try {
      body = await readBody(res, MAX_MANIFEST_BYTES, `${what}: manifest`);
    } catch (e) {
      if (e instanceof CavasError) throw e;
      throw this.networkError(ref.registry, undefined, e);
    }

    const contentType = (headerValue(res.headers['content-type']) ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (SCHEMA1_TYPES.includes(contentType)) {
      throw new CavasError('BAD_IMAGE', `${what}: schema 1 manifests are not supported`);
    }
    let parsed: { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; layers?: unknown } | undefined;
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CavasError('BAD_IMAGE', `${what}: manifest is not a JSON object`);
    }
    if (parsed.schemaVersion === 1) {
      throw new CavasError('BAD_IMAGE', `${what}: schema 1 manifests are not supported`);
    }

    const header = headerValue(res.headers['docker-content-digest'])?.trim();
    const check = (expected: string, claimedBy: string): void => {
      const actual = `${digestAlgorithm(expected)}:${createHash(digestAlgorithm(expected)).update(body).digest('hex')}`;
      if (actual !== expected) {
        throw new CavasError(
          'DIGEST_MISMATCH',
          `${what}: manifest digest mismatch: ${claimedBy} ${expected}, content is ${actual}`,
        );
      }
    };
    if (byDigest) check(reference, 'requested');
    if (header !== undefined && header !== '' && header !== reference) {
      if (!DIGEST_RE.test(header)) {
        this.log(`${what}: ignoring malformed Docker-Content-Digest header`);
      } else {
        check(header, 'registry says');
      }
    }
    const digest = byDigest ? reference : `sha256:${createHash('sha256').update(body).digest('hex')}`;

    let mediaType: string | undefined;
    if (KNOWN_MANIFEST_TYPES.includes(contentType)) mediaType = contentType;
    else if (typeof parsed.mediaType === 'string' && KNOWN_MANIFEST_TYPES.includes(parsed.mediaType)) {
      mediaType = parsed.mediaType;
    } else if (parsed.schemaVersion === 2 && parsed.mediaType === undefined) {
      // OCI lets mediaType be left out of the document; its shape tells which one it is.
      if (Array.isArray(parsed.manifests)) mediaType = MEDIA_TYPES.ociIndex;
      else if (Array.isArray(parsed.layers)) mediaType = MEDIA_TYPES.ociManifest;
    }
    if (mediaType === undefined) {
      const shown = typeof parsed.mediaType === 'string' ? parsed.mediaType : contentType || 'none';
      throw new CavasError('BAD_IMAGE', `${what}: unsupported manifest media type ${JSON.stringify(shown.slice(0, 100))}`);
    }
    return { mediaType, digest, body };
  }

  /**
   * Every tag of a repository (the registry watcher polls this), following `Link: rel="next"`
   * pages; at most maxTags, so a hostile registry cannot grow the list without bound.
   */
  async listTags(ref: ImageReference, maxTags = 10_000): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${ref.repository}/tags/list?n=1000`;
    while (path && tags.length < maxTags) {
      const res = await this.send('manifest', ref, path, { accept: 'application/json' });
      const what = `${ref.registry}/${ref.repository}: tags`;
      if (res.status === 404) throw new CavasError('NOT_FOUND', `${what}: repository not found (404)`);
      if (res.status !== 200) throw await this.statusError(ref, res, what);
      const body = await readBody(res, MAX_MANIFEST_BYTES, what);
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(body.toString('utf8')) as { tags?: unknown };
      } catch {
        throw new CavasError('BAD_IMAGE', `${what}: answer is not JSON`);
      }
      if (Array.isArray(parsed.tags)) tags.push(...parsed.tags.filter((t): t is string => typeof t === 'string'));
      const link = headerValue(res.headers['link']);
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next && next.startsWith('/v2/') ? next : undefined;
    }
    return tags.slice(0, maxTags);
  }

  /**
   * Streams a blob. The promise settles once the registry has answered; the iterable then
   * yields the bytes and throws DIGEST_MISMATCH at its end when they do not hash to
   * `digest`. Breaking out of the loop closes the connection.
   */
  async getBlob(ref: ImageReference, digest: string, expectedSize?: number): Promise<AsyncIterable<Buffer>> {
    const what = `${ref.registry}/${ref.repository}: blob ${digest}`;
    if (!DIGEST_RE.test(digest)) throw new CavasError('BAD_IMAGE', `${what}: not a sha256 or sha512 digest`);
    const first = await this.openBlob(ref, digest, 0, what, expectedSize);
    return this.streamBlob(ref, digest, what, first, expectedSize);
  }

  /** A whole blob in memory (configs), at most `maxBytes`. */
  async getBlobBuffer(ref: ImageReference, digest: string, maxBytes: number, expectedSize?: number): Promise<Buffer> {
    const what = `${ref.registry}/${ref.repository}: blob ${digest}`;
    if (expectedSize !== undefined && expectedSize > maxBytes) {
      throw new CavasError('LIMIT_EXCEEDED', `${what}: ${expectedSize} bytes is more than the ${maxBytes}-byte limit`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const blob = await this.getBlob(ref, digest, expectedSize);
    for await (const chunk of blob) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new CavasError('LIMIT_EXCEEDED', `${what}: more than the ${maxBytes}-byte limit`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  // -------------------------------------------------------------------------------------

  private async openBlob(
    ref: ImageReference,
    digest: string,
    from: number,
    what: string,
    expectedSize: number | undefined,
  ): Promise<{ res: HttpResponse; skip: number }> {
    const headers: Record<string, string> = {};
    if (from > 0) headers.range = `bytes=${from}-`;
    const res = await this.send('blob', ref, `/v2/${ref.repository}/blobs/${digest}`, headers);
    if (res.status === 404) {
      const detail = await this.errorDetail(ref.registry, res);
      throw new CavasError('MISSING_BLOB', `${what}: not found on the registry (404${detail})`);
    }
    if (from > 0 && res.status === 206) {
      const range = /^bytes (\d+)-/.exec(headerValue(res.headers['content-range']) ?? '');
      if (range && Number(range[1]) === from) return { res, skip: 0 };
      res.body.destroy();
      throw new CavasError('FETCH_FAILED', `${what}: resuming the download returned the wrong range`);
    }
    if (res.status !== 200) throw await this.statusError(ref, res, what);
    const declared = Number(headerValue(res.headers['content-length']));
    if (expectedSize !== undefined && Number.isFinite(declared) && declared > expectedSize) {
      res.body.destroy();
      throw new CavasError(
        'DIGEST_MISMATCH',
        `${what}: size mismatch: the manifest says ${expectedSize} bytes, the registry sends ${declared}`,
      );
    }
    // A 200 to a range request is the whole blob again: skip what was already passed on.
    return { res, skip: from };
  }

  private async *streamBlob(
    ref: ImageReference,
    digest: string,
    what: string,
    first: { res: HttpResponse; skip: number },
    expectedSize: number | undefined,
  ): AsyncGenerator<Buffer> {
    const algorithm = digestAlgorithm(digest);
    const hash = createHash(algorithm);
    let { res, skip } = first;
    let received = 0;
    let resumes = 0;
    try {
      for (;;) {
        try {
          for await (const raw of res.body as AsyncIterable<Buffer>) {
            let chunk = raw;
            if (skip > 0) {
              if (chunk.length <= skip) {
                skip -= chunk.length;
                continue;
              }
              chunk = chunk.subarray(skip);
              skip = 0;
            }
            received += chunk.length;
            if (expectedSize !== undefined && received > expectedSize) {
              throw new CavasError(
                'DIGEST_MISMATCH',
                `${what}: size mismatch: the manifest says ${expectedSize} bytes, the registry sent more`,
              );
            }
            hash.update(chunk);
            yield chunk;
          }
          if (skip > 0) throw new CavasError('FETCH_FAILED', `${what}: the resumed download was shorter than before`);
          break;
        } catch (e) {
          if (e instanceof CavasError) throw e;
          if (!resumableMidBody(e) || resumes >= this.retries) {
            throw this.networkError(ref.registry, undefined, e, `${what}: download failed after ${received} bytes`);
          }
          resumes++;
          res.body.destroy();
          const delay = this.backoff(resumes - 1);
          this.log(`${what}: ${classifyNetworkError(e).reason} after ${received} bytes; resuming in ${Math.round(delay)} ms`);
          await sleep(delay);
          ({ res, skip } = await this.openBlob(ref, digest, received, what, expectedSize));
        }
      }
    } finally {
      res.body.destroy();
    }
    if (expectedSize !== undefined && received !== expectedSize) {
      throw new CavasError(
        'DIGEST_MISMATCH',
        `${what}: size mismatch: the manifest says ${expectedSize} bytes, the registry sent ${received}`,
      );
    }
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== digest) {
      throw new CavasError('DIGEST_MISMATCH', `${what}: digest mismatch: the content hashes to ${actual}`);
    }
  }

  private baseUrl(registry: string): string {
    const scheme = this.schemes.get(registry) ?? (usesPlainHttp(registry, this.insecure) ? 'http' : 'https');
    return `${scheme}://${registryApiHost(registry)}`;
  }

  /**
   * A registry that may be spoken to in plain http (loopback, --insecure-registry) is still
   * tried with TLS first, as docker does: a TLS registry on localhost must work, and one that
   * only speaks http fails the handshake at once. A certificate problem is not a reason to
   * drop TLS: the user gets that error and the --ca-cert hint.
   */
  private async chooseScheme(registry: string): Promise<void> {
    if (this.schemes.has(registry)) return;
    if (!usesPlainHttp(registry, this.insecure)) {
      this.schemes.set(registry, 'https');
      return;
    }
    try {
      const res = await this.transport.request({ method: 'GET', url: new URL(`https://${registryApiHost(registry)}/v2/`), headers: {} });
      res.body.destroy();
      this.schemes.set(registry, 'https');
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(code);
      this.schemes.set(registry, certificate ? 'https' : 'http');
    }
  }

  private state(registry: string): RegistryAuthState {
    let s = this.authStates.get(registry);
    if (!s) {
      s = {};
      this.authStates.set(registry, s);
    }
    return s;
  }

  private credentials(registry: string): Promise<ResolvedCredentials | undefined> {
    const s = this.state(registry);
    if (!s.creds) {
      s.creds = resolveCredentials(registry, {
        ...(this.opts.credentials ? { explicit: this.opts.credentials } : {}),
        env: this.env,
        ...(this.opts.homeDir !== undefined ? { homeDir: this.opts.homeDir } : {}),
        log: this.log,
      }).then((c) => {
        s.resolved = c;
        if (c) this.log(`${registry}: using credentials from ${c.source}`);
        return c;
      });
    }
    return s.creds;
  }

  /** The Authorization header for a registry request, from what earlier challenges asked for. */
  private async authorization(registry: string, scope: string): Promise<string | undefined> {
    const s = this.state(registry);
    const challenge = s.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const creds = await this.credentials(registry);
      if (!creds || creds.identityToken) return undefined;
      return basicAuthorization(creds);
    }
    return `Bearer ${await this.bearerToken(registry, challenge, scope)}`;
  }

  private bearerToken(registry: string, challenge: AuthChallenge, scope: string): Promise<string> {
    const key = TokenCache.key(registry, challenge, scope);
    const cached = this.tokens.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = (async () => {
        const creds = await this.credentials(registry);
        const t = await fetchBearerToken(challenge, scope, creds, {
          registry,
          send: (req) => this.withRetries('token', registry, req),
          allowPlainHttp: (url) => usesPlainHttp(url.host, this.insecure),
          clientId: 'cavas',
        });
        this.tokens.set(key, t.token, t.expiresInS);
        return t.token;
      })().finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return pending;
  }

  /** A GET to the registry API with auth, retries and redirects; 401 re-runs the challenge once. */
  private async send(
    kind: RequestKind,
    ref: ImageReference,
    path: string,
    extraHeaders: Record<string, string>,
  ): Promise<HttpResponse> {
    await this.chooseScheme(ref.registry);
    const url = new URL(`${this.baseUrl(ref.registry)}${path}`);
    const scope = `repository:${ref.repository}:pull`;
    let challenged = false;
    for (;;) {
      const headers = { ...extraHeaders };
      const authorization = await this.authorization(ref.registry, scope);
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await this.followRedirects(kind, ref.registry, url, headers);
      if (res.status === 401) {
        const header = headerValue(res.headers['www-authenticate']);
        const detail = await this.errorDetail(ref.registry, res);
        const challenge = header !== undefined ? pickChallenge(parseWwwAuthenticate(header)) : undefined;
        if (challenged || !challenge) throw await this.authFailed(ref, 401, detail);
        challenged = true;
        const s = this.state(ref.registry);
        s.challenge = challenge;
        this.tokens.delete(TokenCache.key(ref.registry, challenge, scope));
        if (challenge.scheme === 'basic') {
          const creds = await this.credentials(ref.registry);
          if (!creds || creds.identityToken) throw await this.authFailed(ref, 401, detail);
        }
        continue;
      }
      if (res.status === 403) {
        const detail = await this.errorDetail(ref.registry, res);
        throw await this.authFailed(ref, 403, detail);
      }
      return res;
    }
  }

  private async authFailed(ref: ImageReference, status: number, detail: string): Promise<CavasError> {
    const creds = this.state(ref.registry).creds ? await this.credentials(ref.registry) : undefined;
    const where = `${ref.registry}/${ref.repository}`;
    if (status === 403) {
      return new CavasError('AUTH_FAILED', `${where}: access denied (403${detail})${creds ? ` for the credentials from ${creds.source}` : `; ${LOGIN_HINT}`}`);
    }
    if (creds) {
      return new CavasError(
        'AUTH_FAILED',
        `${where}: authentication failed (401${detail}) with the credentials from ${creds.source}; check them and that the repository exists`,
      );
    }
    return new CavasError('AUTH_FAILED', `${ref.registry}: authentication required (401${detail}) for ${ref.repository}; ${LOGIN_HINT}`);
  }

  private async followRedirects(
    kind: RequestKind,
    registry: string,
    start: URL,
    startHeaders: Record<string, string>,
  ): Promise<HttpResponse> {
    let url = start;
    const headers = { ...startHeaders };
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.withRetries(kind, registry, { method: 'GET', url, headers });
      if (!REDIRECT_STATUSES.has(res.status)) return res;
      res.body.destroy();
      const location = headerValue(res.headers.location);
      let next: URL | undefined;
      try {
        next = location ? new URL(location, url) : undefined;
      } catch {
        next = undefined;
      }
      if (!next || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
        throw new CavasError('FETCH_FAILED', `${registry}: ${safeUrl(url)} redirected to an invalid location`);
      }
      if (next.protocol === 'http:' && url.protocol === 'https:' && !usesPlainHttp(next.host, this.insecure)) {
        throw new CavasError('FETCH_FAILED', `${registry}: refusing a redirect from https to plain http (${safeUrl(next)})`);
      }
      // Blob storage on another host must not see the registry credentials (and S3 rejects them).
      if (next.origin !== url.origin) delete headers.authorization;
      this.log(`${safeUrl(url)} -> ${res.status} ${safeUrl(next)}`);
      url = next;
    }
    throw new CavasError('FETCH_FAILED', `${registry}: more than ${MAX_REDIRECTS} redirects`);
  }

  private backoff(attempt: number): number {
    const base = this.retryBaseMs * 2 ** attempt;
    return base / 2 + Math.random() * (base / 2);
  }

  /** One request, repeated on 429/502/503/504 and transient network errors. */
  private async withRetries(kind: RequestKind, registry: string, req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      this.requestCounts[kind]++;
      let res: HttpResponse;
      try {
        res = await this.transport.request(req);
      } catch (e) {
        const failure = classifyNetworkError(e);
        if (attempt < this.retries && failure.retryBeforeResponse) {
          const delay = this.backoff(attempt);
          this.log(`${req.method} ${safeUrl(req.url)}: ${failure.reason}; retrying in ${Math.round(delay)} ms`);
          await sleep(delay);
          continue;
        }
        throw this.networkError(registry, req.url, e);
      }
      this.log(`${req.method} ${safeUrl(req.url)} -> ${res.status}`);
      if (!RETRY_STATUSES.has(res.status)) return res;
      if (attempt >= this.retries) {
        res.body.destroy();
        const tries = attempt + 1;
        throw new CavasError(
          'FETCH_FAILED',
          `${registry}: ${req.method} ${safeUrl(req.url)}: HTTP ${res.status}${res.status === 429 ? ' (too many requests)' : ''} after ${tries} attempt${tries === 1 ? '' : 's'}`,
        );
      }
      const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']));
      const delay = retryAfter !== undefined ? Math.min(retryAfter, this.maxRetryAfterMs) : this.backoff(attempt);
      res.body.destroy();
      this.log(`${req.method} ${safeUrl(req.url)}: HTTP ${res.status}; retrying in ${Math.round(delay)} ms`);
      await sleep(delay);
    }
  }

  private networkError(registry: string, url: URL | undefined, e: unknown, prefix?: string): CavasError {
    const reason = classifyNetworkError(e).reason;
    const apiHost = registryApiHost(registry);
    const target = url && url.host !== apiHost ? `${url.host} (redirected from ${registry})` : registry;
    const message = prefix !== undefined ? `${prefix}: ${reason}` : `cannot reach ${target}: ${reason}`;
    return new CavasError('FETCH_FAILED', redactSecrets(message, this.state(registry).resolved), { cause: e });
  }

  /** ` CODE: message` from a registry error body, redacted and short; '' when there is none. */
  private async errorDetail(registry: string, res: HttpResponse): Promise<string> {
    let text = '';
    try {
      const body = await readBody(res, MAX_ERROR_BODY, 'error body');
      const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
      const first = Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
      if (first) {
        text = [first.code, first.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
      }
    } catch {
      res.body.destroy();
      return '';
    }
    if (text === '') return '';
    if (text.length > 200) text = `${text.slice(0, 200)}...`;
    return ` ${redactSecrets(text, this.state(registry).resolved)}`;
  }

  private async statusError(ref: ImageReference, res: HttpResponse, what: string): Promise<CavasError> {
    const detail = await this.errorDetail(ref.registry, res);
    return new CavasError('FETCH_FAILED', `${what}: the registry answered HTTP ${res.status}${detail}`);
  }
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CavasError('USAGE', `${file}: cannot read CA certificate file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CavasError('USAGE', `${file}: no PEM certificate in the CA certificate file`);
  }
  return pem;
}
