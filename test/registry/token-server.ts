/**
 * A minimal Docker token-auth server (the flow of "Docker Registry v2 authentication via
 * central service"): the registry answers 401 with `Bearer realm=...,service=...,scope=...`,
 * the client asks this server for a token (GET with basic credentials or anonymous, or the
 * OAuth2 POST form), and gets a JWT the registry trusts.
 *
 * distribution 2.8 takes the signing key from the JWT `x5c` header (the certificate, DER
 * in base64) and verifies that chain against its `rootcertbundle`; a self-signed cert
 * in both places is the whole PKI.
 */
import { createPrivateKey, createSign, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const TOKEN_SERVICE = 'test-registry';
export const TOKEN_ISSUER = 'test-issuer';

export interface TokenRequest {
  method: string;
  /** The authenticated user, or undefined for an anonymous request. */
  account?: string;
  scopes: string[];
  status: number;
  /** Actions granted per repository, as put in the token. */
  granted: Array<{ name: string; actions: string[] }>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  /** What an anonymous client gets: refused (401), pull tokens, or a token without access (what public hubs do). */
  anonymous?: 'deny' | 'pull' | 'no-access';
  certFile: string;
  keyFile: string;
}

export interface TokenServer {
  port: number;
  realm: string;
  requests: TokenRequest[];
  /** Signs a token for `sub` with these grants, e.g. for curl checks. */
  sign(sub: string, access: Array<{ name: string; actions: string[] }>, ttlSeconds?: number): string;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function signJwt(key: KeyObject, certDer: string, claims: object): string {
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(sig)}`;
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

function basicCredentials(req: IncomingMessage): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), pass: text.slice(colon + 1) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(readFileSync(opts.keyFile));
  const certDer = new X509Certificate(readFileSync(opts.certFile)).raw.toString('base64');
  const requests: TokenRequest[] = [];

  const sign = (sub: string, access: Array<{ name: string; actions: string[] }>, ttlSeconds = 300): string => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(key, certDer, {
      iss: TOKEN_ISSUER,
      sub,
      aud: TOKEN_SERVICE,
      exp: now + ttlSeconds,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: access.map((a) => ({ type: 'repository', name: a.name, actions: a.actions })),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    let params = url.searchParams;
    let creds = basicCredentials(req);
    if (req.method === 'POST') {
      // OAuth2 password grant, used by clients that prefer it
      params = new URLSearchParams(await readBody(req));
      const user = params.get('username');
      if (params.get('grant_type') === 'password' && user !== null) creds = { user, pass: params.get('password') ?? '' };
    }
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const record: TokenRequest = { method: req.method ?? 'GET', account: creds?.user, scopes, status: 200, granted: [] };
    requests.push(record);

    const reply = (status: number, body: object): void => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (params.get('service') !== TOKEN_SERVICE) return reply(400, { errors: [{ code: 'UNSUPPORTED', message: 'unknown service' }] });

    let allowed: string[];
    if (creds) {
      if (opts.users[creds.user] !== creds.pass) return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      allowed = ['pull', 'push', '*'];
    } else {
      const mode = opts.anonymous ?? 'deny';
      if (mode === 'deny') return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
      allowed = mode === 'pull' ? ['pull'] : [];
    }
    for (const s of scopes) {
      const p = parseScope(s);
      if (p?.type !== 'repository') continue;
      const actions = p.actions.filter((a) => allowed.includes(a));
      if (actions.length) record.granted.push({ name: p.name, actions });
    }
    const token = sign(creds?.user ?? '', record.granted);
    reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
