/** The event log, for polling (after=<last id seen>) and for the UI's timeline. */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import type { EventType } from '../../model.js';
import { badRequest } from '../errors.js';
import { AUTH_ERRORS, EVENT_TYPES, bearerSecurity, errors, ref } from '../schemas.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

interface Query {
  after?: number;
  type?: string[];
  digest?: string;
  repository?: string;
  limit: number;
  order: 'asc' | 'desc';
}

/** `type` may repeat and each value may be a comma list: type=a&type=b,c. */
export function parseEventTypes(values: string[] | undefined): EventType[] | undefined {
  if (!values) return undefined;
  const types = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw badRequest(`unknown event type ${JSON.stringify(t.slice(0, 50))}; one of ${EVENT_TYPES.join(', ')}`);
    }
  }
  return types.length > 0 ? [...new Set(types)] as EventType[] : undefined;
}

export async function eventRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get<{ Querystring: Query }>(
    '/api/events',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Events, oldest first unless order=desc',
        tags: ['events'],
        security: bearerSecurity,
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'integer', minimum: 0, description: 'Only events with a greater id' },
            type: {
              type: 'array',
              maxItems: 20,
              items: { type: 'string', maxLength: 200 },
              description: `Repeatable or comma-separated: ${EVENT_TYPES.join(', ')}`,
            },
            digest: { type: 'string', maxLength: 80 },
            repository: { type: 'string', maxLength: 255 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'asc', description: 'asc (for polling with after) or desc (latest first)' },
          },
        },
        response: {
          200: { type: 'object', properties: { events: { type: 'array', items: ref('Event') } } },
          ...errors(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const events = await deps.store.listEvents({
        afterId: q.after,
        types: parseEventTypes(q.type),
        digest: q.digest || undefined,
        repository: q.repository || undefined,
        limit: q.limit,
        order: q.order,
      });
      return { events };
    },
  );
}
