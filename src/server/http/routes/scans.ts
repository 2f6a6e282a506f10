/** Scan requests from the API: queue an image by reference, follow a scan record. */
import type { FastifyInstance } from 'fastify';
import { formatReference, parseReference } from '../../../registry/reference.js';
import type { ScanRequest, ServerDeps } from '../../deps.js';
import { notFound } from '../errors.js';
import { AUTH_ERRORS, bearerSecurity, errors, idParams, ref } from '../schemas.js';

export async function scanRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.post<{ Body: { image: string } }>(
    '/api/scans',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Queue a scan of an image',
        description: 'The image is pulled from its registry unless its digest is already stored (then the scan is answered as reused).',
        tags: ['scans'],
        security: bearerSecurity,
        body: {
          type: 'object',
          required: ['image'],
          properties: {
            image: { type: 'string', minLength: 1, maxLength: 512, description: 'host/repo:tag or host/repo@sha256:...' },
          },
        },
        response: { 202: { type: 'object', properties: { scan: ref('Scan') } }, ...errors(400, ...AUTH_ERRORS, 415) },
      },
    },
    async (request, reply) => {
      const parsed = parseReference(request.body.image);
      const req: ScanRequest = {
        reference: formatReference(parsed),
        registry: parsed.registry,
        repository: parsed.repository,
        reason: 'api',
      };
      if (parsed.tag !== undefined) req.tag = parsed.tag;
      if (parsed.digest !== undefined) req.digest = parsed.digest;
      const scan = await deps.requestScan(req);
      request.log.info({ scanId: scan.id, reference: scan.reference, reused: scan.reused === true }, 'scan requested');
      return reply.code(202).send({ scan });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/scans/:id',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'A scan record',
        tags: ['scans'],
        security: bearerSecurity,
        params: idParams,
        response: { 200: ref('Scan'), ...errors(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request) => {
      const scan = await deps.store.getScan(request.params.id);
      if (!scan) throw notFound(`scan ${request.params.id}`);
      return scan;
    },
  );
}
