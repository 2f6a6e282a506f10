/**
 * A minimal OCI distribution registry on node:http: manifests and blobs from memory,
 * optional Basic or Bearer auth with its own token endpoint at /token.
 */
import type http from 'node:http';
import { registryError, serve, sha256, json, type TestServer } from './helpers.js';

export interface FakeAuth {
  kind: 'basic' | 'bearer';
  /** user -> password; absent for a bearer registry that hands out anonymous tokens. */
  users?: Record<string, string>;
  /** Refresh tokens accepted by the OAuth2 POST grant. */
  refreshTokens?: string[];
  /** Field the token endpoint answers with. */
  tokenField?: 'token' | 'access_token';
  service?: string;
}

export interface FakeRegistry {
  server: TestServer;
  manifests: Map<string, { body: Buffer; type: string }>;
  blobs: Map<string, Buffer>;
  /** Tokens the registry accepts now (clear it to "expire" them). */
  validTokens: Set<string>;
  /** Token requests seen, parsed. */
  tokenRequests: Array<{ method: string; query: URLSearchParams; form?: URLSearchParams; authorization?: string }>;
  addManifest(tag: string, value: unknown, type?: string): { digest: string; body: Buffer };
  addBlob(data: Buffer | string): string;
  close(): Promise<void>;
}

function parseBasic(header: string | undefined): [string, string] | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)];
}

export async function fakeRegistry(auth?: FakeAuth): Promise<FakeRegistry> {
  const manifests = new Map<string, { body: Buffer; type: string }>();
  const blobs = new Map<string, Buffer>();
  const validTokens = new Set<string>();
  const tokenRequests: FakeRegistry['tokenRequests'] = [];
  let issued = 0;
  let origin = '';

  const authorized = (req: http.IncomingMessage): boolean => {
    if (!auth) return true;
    const h = req.headers.authorization;
    if (auth.kind === 'basic') {
      const pair = parseBasic(h);
      return pair !== undefined && auth.users?.[pair[0]] === pair[1];
    }
    return h !== undefined && h.startsWith('Bearer ') && validTokens.has(h.slice(7));
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/token' && auth?.kind === 'bearer') {
      const form = req.method === 'POST' ? new URLSearchParams(body) : undefined;
      tokenRequests.push({ method: req.method ?? '', query: url.searchParams, form, authorization: req.headers.authorization });
      if (form) {
        if (form.get('grant_type') !== 'refresh_token' || !auth.refreshTokens?.includes(form.get('refresh_token') ?? '')) {
          return json(res, 401, { error: 'invalid_grant' });
        }
      } else if (auth.users) {
        const pair = parseBasic(req.headers.authorization);
        if (!pair || auth.users[pair[0]] !== pair[1]) return json(res, 401, { details: 'incorrect username or password' });
      }
      const token = `tok-${++issued}`;
      validTokens.add(token);
      return json(res, 200, { [auth.tokenField ?? 'token']: token, expires_in: 300 });
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!authorized(req)) {
      const challenge =
        auth?.kind === 'basic'
          ? 'Basic realm="fake"'
          : `Bearer realm="${origin}/token",service="${auth?.service ?? 'fake-registry'}",scope="repository:${m?.[1] ?? ''}:pull"`;
      return registryError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge });
    }
    if (!m) return registryError(res, 404, 'NOT_FOUND', 'no route');
    if (m[2] === 'manifests') {
      const entry = manifests.get(m[3] ?? '');
      if (!entry) return registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, {
        'content-type': entry.type,
        'content-length': entry.body.length,
        'docker-content-digest': sha256(entry.body),
      });
      return void res.end(entry.body);
    }
    const blob = blobs.get(m[3] ?? '');
    if (!blob) return registryError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(blob);
  };

  const server = await serve(handler);
  origin = server.origin;
  return {
    server,
    manifests,
    blobs,
    validTokens,
    tokenRequests,
    addManifest(tag, value, type = 'application/vnd.docker.distribution.manifest.v2+json') {
      const body = Buffer.from(JSON.stringify(value));
      const digest = sha256(body);
      manifests.set(tag, { body, type });
      manifests.set(digest, { body, type });
      return { digest, body };
    },
    addBlob(data) {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
      const digest = sha256(buf);
      blobs.set(digest, buf);
      return digest;
    },
    close: () => server.close(),
  };
}

/** A schema 2 manifest naming one config and one layer. */
export function dockerManifest(config: string, layer: string, layerSize: number): unknown {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: config },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layerSize, digest: layer }],
  };
}
