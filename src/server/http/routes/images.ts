/** Stored images: listing, one image with its layers, its packages, findings and SBOM. */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../../deps.js';
import type { ImageRecord } from '../../model.js';
import { notFound } from '../errors.js';
import { AUTH_ERRORS, FINDING_KINDS, bearerSecurity, errors, idParams, ref } from '../schemas.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

const anyObject = { type: 'object', additionalProperties: true } as const;

export async function imageRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  async function imageOr404(id: number): Promise<ImageRecord> {
    const image = await deps.store.getImage(id);
    if (!image) throw notFound(`image ${id}`);
    return image;
  }

  app.get<{ Querystring: { q?: string; repository?: string; limit: number; offset: number } }>(
    '/api/images',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Images seen in registries',
        tags: ['images'],
        security: bearerSecurity,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 256, description: 'Substring of registry/repository or a tag' },
            repository: { type: 'string', maxLength: 255 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: { type: 'object', properties: { total: { type: 'integer' }, images: { type: 'array', items: ref('Image') } } },
          ...errors(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request) => {
      const { q, repository, limit, offset } = request.query;
      return deps.store.findImages({ q: q || undefined, repository: repository || undefined, limit, offset });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/images/:id',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'One image and its layers',
        tags: ['images'],
        security: bearerSecurity,
        params: idParams,
        response: { 200: ref('ImageDetail'), ...errors(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request) => {
      const image = await imageOr404(request.params.id);
      const [layers, inv] = await Promise.all([deps.store.layersOf(image.digest), deps.store.getInventory(image.digest)]);
      if (!inv) return { ...image, layers };
      const { os, architecture, variant } = inv.image.platform;
      const detail: Record<string, unknown> = { ...image, layers, platform: [os, architecture, variant].filter(Boolean).join('/'), configDigest: inv.image.configDigest };
      if (inv.image.created) detail.created = inv.image.created;
      if (inv.inventory.os) detail.os = inv.inventory.os.prettyName ?? `${inv.inventory.os.id} ${inv.inventory.os.version}`;
      return detail;
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/images/:id/packages',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'The packages of an image (from its stored inventory)',
        tags: ['images'],
        security: bearerSecurity,
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              digest: { type: 'string' },
              scanned: { type: 'boolean', description: 'False while the first scan is pending: no packages yet.' },
              scannedAt: { type: 'string' },
              os: anyObject,
              packages: { type: 'array', items: anyObject },
            },
          },
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const image = await imageOr404(request.params.id);
      const inv = await deps.store.getInventory(image.digest);
      if (!inv) return { digest: image.digest, scanned: false, packages: [] };
      return { digest: image.digest, scanned: true, scannedAt: inv.scannedAt, os: inv.inventory.os, packages: inv.inventory.packages };
    },
  );

  app.get<{ Params: { id: number }; Querystring: { open: boolean; kind?: (typeof FINDING_KINDS)[number] } }>(
    '/api/images/:id/findings',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'The findings of an image',
        tags: ['images'],
        security: bearerSecurity,
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            open: { type: 'boolean', default: true, description: 'true: open findings; false: fixed ones too' },
            kind: { type: 'string', enum: [...FINDING_KINDS] },
          },
        },
        response: {
          200: { type: 'object', properties: { findings: { type: 'array', items: ref('Finding') } } },
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const image = await imageOr404(request.params.id);
      const { open, kind } = request.query;
      return { findings: await deps.store.findingsOf(image.digest, kind ? { open, kind } : { open }) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/images/:id/sbom',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'CycloneDX 1.6 SBOM of an image',
        tags: ['images'],
        security: bearerSecurity,
        params: idParams,
        produces: ['application/vnd.cyclonedx+json'],
        response: {
          200: { description: 'CycloneDX JSON', content: { 'application/vnd.cyclonedx+json': { schema: { type: 'object' } } } },
          ...errors(400, ...AUTH_ERRORS, 404),
        },
      },
    },
    async (request, reply) => {
      const image = await imageOr404(request.params.id);
      const sbom = await deps.sbom(image.digest);
      if (sbom === undefined) throw notFound(`inventory of image ${image.id}`);
      return reply
        .type('application/vnd.cyclonedx+json')
        .header('content-disposition', `attachment; filename="${sbomFileName(image)}"`)
        .send(sbom);
    },
  );
}

/** repo-name_<12 hex>.cdx.json: only characters safe in a quoted header parameter. */
export function sbomFileName(image: Pick<ImageRecord, 'repository' | 'digest'>): string {
  const name = image.repository.replace(/[^a-z0-9._-]+/g, '_').slice(0, 100);
  const hex = image.digest.replace(/^sha256:/, '').replace(/[^a-f0-9]/g, '').slice(0, 12);
  return `${name}_${hex}.cdx.json`;
}
