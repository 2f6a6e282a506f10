/** "Which images have CVE-X?": a search, so an unknown id is an empty list, not a 404. */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import { AUTH_ERRORS, bearerSecurity, errors, ref } from '../schemas.js';

export async function vulnerabilityRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/api/vulnerabilities/:id',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Open findings with this vulnerability id (or alias), with the images holding them',
        tags: ['vulnerabilities'],
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/+-]*$' } },
        },
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, findings: { type: 'array', items: ref('FindingWithImages') } },
          },
          ...errors(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request) => ({ id: request.params.id, findings: await deps.store.findingsById(request.params.id) }),
  );
}
