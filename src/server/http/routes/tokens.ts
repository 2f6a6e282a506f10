/** API tokens (admin): a new token is shown once; only its SHA-256 is stored. */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import type { TokenScope } from '../../model.js';
import { generateToken, hashToken } from '../auth.js';
import { AUTH_ERRORS, bearerSecurity, errors, ref } from '../schemas.js';

export async function tokenRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.post<{ Body: { name: string; scope: TokenScope } }>(
    '/api/tokens',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Create an API token',
        tags: ['tokens'],
        security: bearerSecurity,
        body: {
          type: 'object',
          required: ['name', 'scope'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
            scope: { type: 'string', enum: ['read', 'admin'] },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              token: { type: 'string', description: 'Shown only in this response' },
              id: { type: 'integer' },
              name: { type: 'string' },
              scope: { type: 'string', enum: ['read', 'admin'] },
              createdAt: { type: 'string' },
            },
          },
          ...errors(400, ...AUTH_ERRORS, 415),
        },
      },
    },
    async (request, reply) => {
      const token = generateToken();
      const rec = await deps.store.addToken(
        { name: request.body.name, scope: request.body.scope, hash: hashToken(token) },
        new Date().toISOString(),
      );
      request.log.info({ tokenId: rec.id, scope: rec.scope, by: request.token?.id }, 'token created');
      return reply.code(201).send({ token, id: rec.id, name: rec.name, scope: rec.scope, createdAt: rec.createdAt });
    },
  );

  app.get(
    '/api/tokens',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'API tokens (never their values)',
        tags: ['tokens'],
        security: bearerSecurity,
        response: {
          200: { type: 'object', properties: { tokens: { type: 'array', items: ref('Token') } } },
          ...errors(...AUTH_ERRORS),
        },
      },
    },
    async () => ({ tokens: await deps.store.listTokens() }),
  );
}
