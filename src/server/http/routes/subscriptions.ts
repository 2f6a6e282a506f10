/**
 * Notification subscriptions and their deliveries (admin). A subscription's signing
 * secret is write-only: responses say only whether one is set.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import type { Subscription } from '../../model.js';
import { validateSubscription } from '../../notify/subscription.js';
import { notFound } from '../errors.js';
import { AUTH_ERRORS, SEVERITIES, bearerSecurity, errors, idParams, ref } from '../schemas.js';

export type PublicSubscription = Omit<Subscription, 'secret'> & { hasSecret: boolean };

export function publicSubscription(sub: Subscription): PublicSubscription {
  const { secret, ...rest } = sub;
  return { ...rest, hasSecret: secret !== undefined && secret !== '' };
}

// Optional fields take null too: validateSubscription treats null as absent, and a
// typed non-null schema would let the validator coerce null into "" or false first.
const subscriptionBody = {
  type: 'object',
  required: ['name', 'url'],
  properties: {
    name: { type: 'string', maxLength: 100 },
    kind: { type: ['string', 'null'], enum: ['webhook', 'slack', null] },
    url: { type: 'string', maxLength: 2048, description: 'http:// or https:// URL to POST to' },
    secret: { type: ['string', 'null'], maxLength: 1024, description: 'HMAC-SHA256 key for X-Cavas-Signature (write-only)' },
    repositoryPattern: { type: ['string', 'null'], maxLength: 256, description: 'Glob over registry/repository or repository' },
    minSeverity: { type: ['string', 'null'], enum: [...SEVERITIES, ...SEVERITIES.map((s) => s.toLowerCase()), null] },
    onlyFixable: { type: ['boolean', 'null'] },
    onlyKev: { type: ['boolean', 'null'] },
  },
} as const;

export async function subscriptionRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get(
    '/api/subscriptions',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Notification subscriptions',
        tags: ['notifications'],
        security: bearerSecurity,
        response: {
          200: { type: 'object', properties: { subscriptions: { type: 'array', items: ref('Subscription') } } },
          ...errors(...AUTH_ERRORS),
        },
      },
    },
    async () => ({ subscriptions: (await deps.store.listSubscriptions()).map(publicSubscription) }),
  );

  app.post(
    '/api/subscriptions',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Add a subscription',
        tags: ['notifications'],
        security: bearerSecurity,
        body: subscriptionBody,
        response: { 201: ref('Subscription'), ...errors(400, ...AUTH_ERRORS, 415) },
      },
    },
    async (request, reply) => {
      const input = validateSubscription(request.body);
      const sub = await deps.store.addSubscription(input, new Date().toISOString());
      request.log.info({ subscriptionId: sub.id, kind: sub.kind }, 'subscription added');
      return reply.code(201).send(publicSubscription(sub));
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/subscriptions/:id',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Remove a subscription',
        tags: ['notifications'],
        security: bearerSecurity,
        params: idParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...errors(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      if (!(await deps.store.deleteSubscription(request.params.id))) throw notFound(`subscription ${request.params.id}`);
      request.log.info({ subscriptionId: request.params.id }, 'subscription removed');
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { subscription?: number; limit: number } }>(
    '/api/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        summary: 'Notification deliveries, newest first',
        tags: ['notifications'],
        security: bearerSecurity,
        querystring: {
          type: 'object',
          properties: {
            subscription: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: { type: 'object', properties: { deliveries: { type: 'array', items: ref('Delivery') } } },
          ...errors(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request) => ({
      deliveries: await deps.store.listDeliveries({ subscriptionId: request.query.subscription, limit: request.query.limit }),
    }),
  );
}
