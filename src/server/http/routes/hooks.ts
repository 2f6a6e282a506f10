/**
 * POST /hooks/registry: the notification envelope a CNCF distribution registry (and the
 * registries that copy its format) sends on every push and pull. A manifest push becomes
 * a scan request; everything else is counted and ignored.
 *
 * The registry re-sends a delivery until it gets a 2xx, holding back every later event
 * for that endpoint, so a well-formed envelope always gets 202 even when nothing in it is
 * scanned; only a malformed envelope or a bad secret is refused. The whole envelope is
 * checked before the first scan is requested, so a refused delivery stores nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ScanRequest, ServerDeps } from '../../deps.js';
import { badRequest } from '../errors.js';
import { errors } from '../schemas.js';

export const EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';

/** Manifests an image can be pulled by; blobs and layers are only parts of one. */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
]);

// The name grammar of the distribution project (reference/regexp.go), as in src/registry/reference.ts.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;
/** A registry batches a few events per delivery; thousands means something else is talking. */
const MAX_EVENTS = 1000;

interface HookTarget {
  mediaType?: string;
  digest?: string;
  size?: number;
  length?: number;
  repository?: string;
  url?: string;
  tag?: string;
}

interface HookEvent {
  id?: string;
  timestamp?: string;
  action: string;
  target: HookTarget;
  request?: { id?: string; addr?: string; host?: string; method?: string; useragent?: string };
  actor?: Record<string, unknown>;
  source?: Record<string, unknown>;
}

interface Envelope {
  events: HookEvent[];
}

const shortStr = { type: 'string', maxLength: 2048 } as const;

const envelopeSchema = {
  type: 'object',
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      maxItems: MAX_EVENTS,
      items: {
        type: 'object',
        required: ['action', 'target'],
        properties: {
          id: shortStr,
          timestamp: shortStr,
          action: { type: 'string', maxLength: 64, description: 'push, pull, delete, mount' },
          target: {
            type: 'object',
            properties: {
              mediaType: shortStr,
              digest: { type: 'string', maxLength: 200, description: 'sha256:<64 hex> (required for push)' },
              size: { type: 'integer' },
              length: { type: 'integer' },
              repository: { type: 'string', maxLength: MAX_NAME_LENGTH },
              url: shortStr,
              tag: { type: 'string', maxLength: 128 },
            },
          },
          request: {
            type: 'object',
            properties: { id: shortStr, addr: shortStr, host: shortStr, method: shortStr, useragent: shortStr },
          },
          actor: { type: 'object', additionalProperties: true },
          source: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The schema validator coerces (a lone object into a one-item array, numbers into
 * strings) for query strings' sake; the envelope's structure must be exactly right.
 */
async function checkStructure(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (!isPlainObject(body)) throw badRequest('the body must be a JSON object with an "events" array');
  if (!Array.isArray(body.events)) throw badRequest('the body has no "events" array');
  body.events.forEach((e: unknown, i: number) => {
    if (!isPlainObject(e)) throw badRequest(`events[${i}] is not an object`);
    if (!isPlainObject(e.target)) throw badRequest(`events[${i}] has no target object`);
    if (typeof e.action !== 'string') throw badRequest(`events[${i}] has no action`);
    if (e.request !== undefined && !isPlainObject(e.request)) throw badRequest(`events[${i}].request is not an object`);
    for (const key of ['digest', 'repository', 'url', 'tag', 'mediaType'] as const) {
      const v = e.target[key];
      if (v !== undefined && typeof v !== 'string') throw badRequest(`events[${i}].target.${key} is not a string`);
    }
  });
}

/** host[:port] of the registry: the one in the event's URL, else the request's Host. */
function registryOf(event: HookEvent): string | undefined {
  if (event.target.url) {
    try {
      const url = new URL(event.target.url);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && HOST_RE.test(url.host)) return url.host;
    } catch {
      // fall back to the request's Host
    }
  }
  const host = event.request?.host?.toLowerCase();
  return host && HOST_RE.test(host) ? host : undefined;
}

function mediaTypeOf(target: HookTarget): string {
  return (target.mediaType ?? '').split(';')[0]!.trim().toLowerCase();
}

type Classified = { scan: ScanRequest } | { ignored: string };

/** Validate one event (throws 400) and say what to do with it. */
function classify(event: HookEvent, index: number, allowed: Set<string> | undefined): Classified {
  if (event.action !== 'push') return { ignored: `action ${event.action}` };
  const { target } = event;
  const where = `events[${index}]`;
  if (target.digest === undefined || !SHA256_RE.test(target.digest)) {
    throw badRequest(`${where}.target.digest must be sha256:<64 lower-case hex digits>`);
  }
  if (target.repository === undefined || !REPOSITORY_RE.test(target.repository)) {
    throw badRequest(`${where}.target.repository is not a valid repository name`);
  }
  if (target.tag !== undefined && target.tag !== '' && !TAG_RE.test(target.tag)) {
    throw badRequest(`${where}.target.tag is not a valid tag`);
  }
  const registry = registryOf(event);
  if (registry === undefined) throw badRequest(`${where} names no registry host (target.url or request.host)`);
  if (registry.length + 1 + target.repository.length > MAX_NAME_LENGTH) {
    throw badRequest(`${where}: repository name is longer than ${MAX_NAME_LENGTH} characters`);
  }

  const mediaType = mediaTypeOf(target);
  if (!MANIFEST_MEDIA_TYPES.has(mediaType)) return { ignored: `media type ${mediaType || 'none'}` };
  if (allowed && !allowed.has(registry.toLowerCase())) return { ignored: `registry ${registry} not allowed` };

  const scan: ScanRequest = {
    reference: `${registry}/${target.repository}@${target.digest}`,
    registry,
    repository: target.repository,
    digest: target.digest,
    mediaType,
    reason: 'push',
  };
  if (target.tag) scan.tag = target.tag;
  return { scan };
}

export async function hookRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  // Scoped to this plugin: only the hook takes the registry's media type.
  app.addContentTypeParser(EVENTS_MEDIA_TYPE, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const allowed = deps.allowedRegistries ? new Set(deps.allowedRegistries.map((r) => r.toLowerCase())) : undefined;

  app.addHook('onResponse', async (_request, reply) => {
    if (reply.statusCode >= 400) deps.metrics.hookEvent('rejected');
  });

  app.post<{ Body: Envelope }>(
    '/hooks/registry',
    {
      config: { auth: 'hook' },
      preValidation: checkStructure,
      schema: {
        summary: 'Registry push notifications (CNCF distribution envelope)',
        description:
          'Authenticate with `Authorization: Bearer <hook secret>`. Manifest pushes are queued for scanning; ' +
          'other events are ignored. Content type application/vnd.docker.distribution.events.v1+json or application/json.',
        tags: ['hooks'],
        consumes: [EVENTS_MEDIA_TYPE, 'application/json'],
        security: [{ hookSecret: [] }],
        body: envelopeSchema,
        response: {
          202: {
            type: 'object',
            properties: {
              accepted: { type: 'integer' },
              ignored: { type: 'integer' },
              scans: { type: 'array', items: { type: 'integer' }, description: 'Scan record ids' },
            },
          },
          ...errors(400, 401, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      const plan = request.body.events.map((e, i) => ({ event: e, what: classify(e, i, allowed) }));

      const scans: number[] = [];
      const seen = new Set<string>();
      let ignored = 0;
      let accepted = 0;
      for (const { event, what } of plan) {
        if ('ignored' in what) {
          ignored++;
          request.log.debug({ eventId: event.id, reason: what.ignored }, 'hook event ignored');
          continue;
        }
        accepted++;
        // A delivery may repeat an event; one scan request per manifest and tag is enough.
        const key = `${what.scan.reference} ${what.scan.tag ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const record = await deps.requestScan(what.scan);
        deps.metrics.hookEvent(record.reused ? 'reused' : 'scanned');
        request.log.info(
          { eventId: event.id, scanId: record.id, reference: what.scan.reference, tag: what.scan.tag, reused: record.reused === true },
          'push accepted',
        );
        scans.push(record.id);
      }
      if (ignored > 0) deps.metrics.hookEvent('ignored', ignored);
      return reply.code(202).send({ accepted, ignored, scans });
    },
  );
}

