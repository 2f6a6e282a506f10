/** Advisory DB refresh on demand (the server also refreshes on its own schedule). */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import { AUTH_ERRORS, bearerSecurity, errors, ref } from '../schemas.js';

export async function dbRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.post(
    '/api/db/refresh',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Refresh the advisory DB now and re-match stored inventories when it changed',
        tags: ['db'],
        security: bearerSecurity,
        response: { 200: ref('RefreshResult'), ...errors(...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const result = await deps.refreshAdvisories();
      request.log.info({ changed: result.changed, rematched: result.rematched, events: result.events }, 'advisory refresh');
      return result;
    },
  );
}
