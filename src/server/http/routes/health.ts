/** Liveness, readiness, metrics and the API description: open, for probes and scrapers. */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import { errorBody } from '../errors.js';
import { errors } from '../schemas.js';

/** A probe that hangs (a stuck database connection) must still answer "not ready". */
const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { auth: 'open' },
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['health'],
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: 'open' },
      schema: {
        summary: 'Readiness: the store and the queue answer',
        tags: ['health'],
        response: {
          200: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } } },
          503: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['unavailable'] },
              reason: { type: 'string' },
              error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const checks: Array<[string, () => Promise<unknown>]> = [
        ['store', () => deps.store.ping()],
        ['queue', () => deps.queue.depth()],
      ];
      for (const [name, check] of checks) {
        try {
          await withTimeout(check(), READY_TIMEOUT_MS);
        } catch (err) {
          // The detail (hosts, driver messages) goes to the log, not to an open endpoint.
          request.log.warn({ err, check: name }, 'not ready');
          const reason = `${name} unreachable`;
          return reply.code(503).send({ status: 'unavailable', reason, ...errorBody('not_ready', reason) });
        }
      }
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/metrics',
    {
      config: { auth: 'open' },
      schema: {
        summary: 'Prometheus metrics',
        tags: ['health'],
        produces: ['text/plain'],
        response: {
          200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (_request, reply) => {
      const text = await deps.metrics.render();
      return reply.type(deps.metrics.contentType).send(text);
    },
  );

  app.get(
    '/openapi.json',
    {
      config: { auth: 'open' },
      schema: {
        summary: 'This API, as OpenAPI 3',
        tags: ['health'],
        response: { 200: { description: 'OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors() },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
}
