/**
 * The HTTP API of `cavas server`: one Fastify instance with JSON logs, OpenAPI from the
 * route schemas, bearer-token auth and one JSON error shape. It only talks to ServerDeps;
 * listening, shutdown and the scan pipeline belong to the caller.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { CAVAS_VERSION } from '../../util/version.js';
import type { ServerDeps } from '../deps.js';
import { authHook } from './auth.js';
import { handleError, sendError } from './errors.js';
import { dbRoutes } from './routes/db.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { hookRoutes } from './routes/hooks.js';
import { imageRoutes } from './routes/images.js';
import { scanRoutes } from './routes/scans.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { tokenRoutes } from './routes/tokens.js';
import { vulnerabilityRoutes } from './routes/vulnerabilities.js';
import { webRoutes } from './routes/web.js';
import { registerSchemas } from './schemas.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** false: silent; true: JSON at info; an object: pino options (redaction is always added). */
  logger: boolean | object;
  /** Largest request body in bytes (default 1 MiB); bigger bodies get 413. */
  bodyLimit?: number;
  /** Directory of the web UI (index.html and its assets); no UI routes when absent. */
  webRoot?: string;
}

/** Wherever a credential could sit in a log line. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'authorization',
  'token',
  'secret',
  'hookSecret',
  '*.token',
  '*.secret',
  '*.hookSecret',
];

const SENSITIVE_QUERY = /token|secret|key|password|auth/i;

/** Method, path and peer only: never headers; query values that look like credentials masked. */
function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  const raw = req.url ?? '';
  const q = raw.indexOf('?');
  let url = raw;
  if (q !== -1) {
    const params = new URLSearchParams(raw.slice(q + 1));
    for (const name of [...params.keys()]) if (SENSITIVE_QUERY.test(name)) params.set(name, '[redacted]');
    url = `${raw.slice(0, q)}?${params.toString()}`;
  }
  return { method: req.method, url, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

function loggerOptions(logger: boolean | object): false | Record<string, unknown> {
  if (logger === false) return false;
  const base = (logger === true ? {} : logger) as Record<string, unknown>;
  const serializers = (base.serializers ?? {}) as Record<string, unknown>;
  return {
    level: 'info',
    ...base,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { ...serializers, req: serializeRequest },
  };
}

export async function buildApp(deps: ServerDeps, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
    // Behind a proxy the operator sets this up explicitly; X-Forwarded-* is not trusted by default.
    trustProxy: false,
  });

  // No route takes plain text: a text body is a wrong Content-Type (415), not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    sendError(reply, 404, 'not_found', `no route for ${request.method} ${path.slice(0, 200)}`);
  });

  app.addHook('onRequest', authHook(deps));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // API answers hold tokens (once) and findings: no shared cache may keep them.
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    deps.metrics.httpRequest(request.method, route, reply.statusCode);
  });

  deps.metrics.setQueueDepthSource(() => deps.queue.depth());

  registerSchemas(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'cavas',
        version: CAVAS_VERSION,
        description:
          'Registry scanning server of cavas. API routes take `Authorization: Bearer <token>` ' +
          '(scope read for GET, admin for changes); POST /hooks/registry takes the hook secret.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (cavas server token create)' },
          hookSecret: { type: 'http', scheme: 'bearer', description: 'The shared secret set with --hook-secret' },
        },
      },
      tags: [
        { name: 'health' },
        { name: 'hooks' },
        { name: 'scans' },
        { name: 'images' },
        { name: 'vulnerabilities' },
        { name: 'events' },
        { name: 'db' },
        { name: 'notifications' },
        { name: 'tokens' },
      ],
    },
    // Shared schemas keep their $id as the component name (Image, Scan, ...).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => hookRoutes(scope, deps));
  await app.register(async (scope) => scanRoutes(scope, deps));
  await app.register(async (scope) => imageRoutes(scope, deps));
  await app.register(async (scope) => vulnerabilityRoutes(scope, deps));
  await app.register(async (scope) => eventRoutes(scope, deps));
  await app.register(async (scope) => dbRoutes(scope, deps));
  await app.register(async (scope) => subscriptionRoutes(scope, deps));
  await app.register(async (scope) => tokenRoutes(scope, deps));
  if (opts.webRoot !== undefined) {
    const webRoot = opts.webRoot;
    await app.register(async (scope) => webRoutes(scope, webRoot));
  }

  return app;
}
