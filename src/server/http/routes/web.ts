/** The web UI's static files: / is index.html, /ui/<path> the rest (open: the UI asks for a token itself). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from '../errors.js';
import { readStaticFile, type StaticFile } from '../static.js';

function send(reply: FastifyReply, file: StaticFile, cache: string): FastifyReply {
  return reply
    .type(file.contentType)
    .header('cache-control', cache)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    // the UI has no inline code and no third-party assets: anything else is an injection
    .header('content-security-policy', "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'none'; frame-ancestors 'none'")
    .send(file.body);
}

export async function webRoutes(app: FastifyInstance, webRoot: string): Promise<void> {
  const hidden = { hide: true } as const;

  app.get('/', { config: { auth: 'open' }, schema: hidden }, async (_request, reply) => {
    const index = await readStaticFile(webRoot, 'index.html');
    if (!index) throw notFound('web UI');
    return send(reply, index, 'no-cache');
  });

  app.get<{ Params: { '*': string } }>('/ui/*', { config: { auth: 'open' }, schema: hidden }, async (request, reply) => {
    const path = request.params['*'];
    const file = await readStaticFile(webRoot, path);
    if (file) return send(reply, file, 'no-cache');
    // Client-side routes (/ui/images/3) have no file of their own: they are the app's page.
    if (/^(?:[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*\/?)?$/.test(path)) {
      const index = await readStaticFile(webRoot, 'index.html');
      if (index) return send(reply, index, 'no-cache');
    }
    throw notFound(`/ui/${path.slice(0, 200)}`);
  });
}
