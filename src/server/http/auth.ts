/**
 * Bearer tokens for the API and the shared secret of the registry hook. Only the SHA-256
 * of a token is stored, so a leaked database does not leak working tokens; checks run in
 * onRequest, before any body is read, so an unauthenticated client cannot make the
 * server parse a large body.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ServerDeps } from '../deps.js';
import type { TokenRecord, TokenScope } from '../model.js';
import { HttpError } from './errors.js';

/** Who may call a route: anyone, a read or admin token, or the registry's shared secret. */
export type AuthLevel = 'open' | 'read' | 'admin' | 'hook';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that do not say are admin-only: forgetting the setting must not open a route. */
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    /** The token that authenticated this request (read and admin routes). */
    token?: TokenRecord;
  }
}

const TOKEN_PREFIX = 'cvs_';
/** Writes of last_used_at per token are at most this often. */
const TOUCH_INTERVAL_MS = 60_000;
/** Longer values are not tokens cavas made; refuse before hashing them. */
const MAX_TOKEN_LENGTH = 512;

/** A new API token: a recognisable prefix and 256 random bits. Shown to the user once. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What the store keeps and looks tokens up by: lower-case hex SHA-256 of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  if (!m || m[1] === undefined || m[1].length > MAX_TOKEN_LENGTH) return undefined;
  return m[1];
}

/** Constant-time comparison of two secrets of any length (hashing equalises the lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function unauthorized(reply: FastifyReply, message: string): HttpError {
  reply.header('www-authenticate', 'Bearer realm="cavas"');
  return new HttpError(401, 'unauthorized', message);
}

function satisfies(scope: TokenScope, needed: 'read' | 'admin'): boolean {
  return needed === 'read' || scope === 'admin';
}

/** The onRequest hook enforcing each route's `config.auth`. */
export function authHook(deps: ServerDeps, now: () => Date = () => new Date()): onRequestAsyncHookHandler {
  const lastTouch = new Map<number, number>();

  async function touch(request: FastifyRequest, token: TokenRecord): Promise<void> {
    const at = now();
    const last = lastTouch.get(token.id);
    if (last !== undefined && at.getTime() - last < TOUCH_INTERVAL_MS) return;
    lastTouch.set(token.id, at.getTime());
    try {
      await deps.store.touchToken(token.id, at.toISOString());
    } catch (err) {
      // Bookkeeping only: a failed write must not fail the request it describes.
      request.log.warn({ err, tokenId: token.id }, 'could not record token use');
    }
  }

  return async function authenticate(request, reply) {
    // Unknown URLs get their 404 whatever the credentials.
    if (request.is404) return;
    const level: AuthLevel = request.routeOptions.config.auth ?? 'admin';
    if (level === 'open') return;

    if (level === 'hook') {
      // Never accept unauthenticated pushes: without a secret anyone could make the server pull.
      if (deps.hookSecret === undefined || deps.hookSecret === '') {
        throw new HttpError(503, 'hook_disabled', 'hook disabled: set --hook-secret');
      }
      const given = bearerToken(request.headers.authorization);
      if (given === undefined) throw unauthorized(reply, 'missing bearer secret');
      if (!secretsEqual(given, deps.hookSecret)) throw unauthorized(reply, 'invalid hook secret');
      return;
    }

    const given = bearerToken(request.headers.authorization);
    if (given === undefined) throw unauthorized(reply, 'missing bearer token');
    const token = await deps.store.tokenByHash(hashToken(given));
    if (!token) throw unauthorized(reply, 'invalid token');
    if (!satisfies(token.scope, level)) {
      throw new HttpError(403, 'forbidden', `this route needs the ${level} scope; this token has ${token.scope}`);
    }
    request.token = token;
    await touch(request, token);
  };
}
