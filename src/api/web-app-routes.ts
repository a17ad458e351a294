import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const webAppDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

// posthog-js loads its extensions (session recording, surveys, ...) from `<api_host>/static/`, as it does from PostHog.
const posthogJsDir = path.dirname(createRequire(import.meta.url).resolve('posthog-js/dist/array.full.js'));

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Sounder</title>
<p>The web app is not built. Run <code>npm install</code> (it builds the app) or <code>npm run build:web</code>, then reload.</p>`;

/** Paths the single-page app owns; everything else that is unknown stays a JSON 404. */
function isAppPath(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const url = request.url.split('?')[0]!;
  return !url.startsWith('/api/') && !url.startsWith('/assets/') && (request.headers.accept ?? '').includes('text/html');
}

/**
 * The web app's static files, and posthog-js' bundles for the install snippet. Hashed assets are cached for good; index.html never, so a new
 * build reaches browsers on their next page load.
 */
export async function registerWebAppRoutes(app: FastifyInstance): Promise<void> {
  const built = fs.existsSync(path.join(webAppDir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: webAppDir,
      wildcard: false,
      preCompressed: true,
      index: false,
      setHeaders: (res, filePath) => {
        res.setHeader('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  await app.register(fastifyStatic, {
    root: posthogJsDir,
    prefix: '/static/',
    decorateReply: false,
    wildcard: false,
    index: false,
    allowedPath: (pathName) => pathName.endsWith('.js'),
    setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=3600'),
  });
  const sendApp = (reply: FastifyReply) => built
    ? reply.header('Cache-Control', 'no-cache').sendFile('index.html')
    : reply.type('text/html').send(notBuilt);
  app.get('/', (_request, reply) => sendApp(reply));
  app.setNotFoundHandler((request, reply) => {
    if (isAppPath(request)) return sendApp(reply);
    return reply.code(404).send({ type: 'invalid_request', code: 'not_found', detail: `No route for ${request.method} ${request.url.split('?')[0]}`, attr: null });
  });
}
