/**
 * Serves the built web app (`web/dist`) through `@fastify/static`: hashed assets with long
 * caching, and `index.html` for every other GET that is not an API, auth, report, template or
 * health path, so client routes such as `/reports/<slug>` and `/admin/tokens` load the app.
 * Registered last.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import { PROJECT_ROOT } from '../../project-root.ts';
import type { RouteDeps } from '../server.ts';

export const WEB_DIST = `${path.join(PROJECT_ROOT, 'web', 'dist')}${path.sep}`;

/** Never answered with the app: unknown paths here are JSON 404s, not a page that says 200. */
const SERVER_PREFIXES = ['/api/', '/auth/', '/report/', '/template/', '/healthz', '/readyz', '/metrics'];

/** Vite puts content-hashed files here: a new build gets new names, so they never go stale. */
const HASHED_ASSETS = '/assets/';
const HASHED_CACHE = 'public, max-age=31536000, immutable';

/**
 * RFC 9239 makes text/javascript the JavaScript type; the `mime` table inside @fastify/send
 * still answers application/javascript. Browsers take both; this keeps the header the server
 * has always sent.
 */
const TYPE_OVERRIDES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
};

/**
 * The app's own policy: scripts only from this origin (no inline script), inline styles allowed
 * because Mantine and CodeMirror inject style tags. Template output runs in a sandboxed iframe.
 */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const MISSING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Web app not built</title></head>
<body><h1>The web app is not built</h1><p>Run <code>npm run build:web</code> and reload this page.
The JSON API under <code>/api/</code> works without it.</p></body></html>`;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Client routes (`/reports/<slug>`, `/admin/…`) have no file extension; files do. */
function isClientRoute(pathname: string): boolean {
  if (pathname === '/') return true;
  return !pathname.startsWith(HASHED_ASSETS) && path.posix.extname(pathname) === '';
}

/**
 * One built file. @fastify/send resolves the path inside the dist folder (refusing `..`), adds
 * ETag and Last-Modified so `no-cache` revalidates with a 304, and answers a missing file with
 * the server's 404. The CSP goes on the reply, where it replaces helmet's; the rest is set in
 * `successHeaders`, so a 404 keeps the error's own headers.
 */
function sendBuiltFile(reply: FastifyReply, file: string) {
  const extension = path.posix.extname(file);
  if (extension === '.html') reply.header('content-security-policy', APP_CSP);
  return reply.sendFile(file, { contentType: !(extension in TYPE_OVERRIDES) });
}

/** Headers of a file actually sent: the type override and the cache policy by folder. */
function successHeaders(dist: string) {
  const hashedFolder = path.join(dist, HASHED_ASSETS);
  return (response: { setHeader(name: string, value: string): unknown }, file: string) => {
    const type = TYPE_OVERRIDES[path.extname(file)];
    if (type) response.setHeader('content-type', type);
    response.setHeader('cache-control', file.startsWith(hashedFolder) ? HASHED_CACHE : 'no-cache');
  };
}

async function sendIndex(reply: FastifyReply, dist: string) {
  try {
    await access(path.join(dist, 'index.html'));
  } catch {
    return reply.code(503).type('text/html; charset=utf-8').send(MISSING);
  }
  return sendBuiltFile(reply, '/index.html');
}

export function webAppRoutes(server: FastifyInstance, _deps: RouteDeps, root = WEB_DIST) {
  const dist = path.resolve(root);
  // `serve: false`: the plugin only adds `reply.sendFile`. The one route below decides what is a
  // file, so server paths keep their JSON 404s and the route is `public` under the role hook.
  // Dotfiles are never part of a build; asking for one is answered as if it did not exist.
  server.register(fastifyStatic, {
    root: dist,
    serve: false,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: successHeaders(dist),
  });
  // Not part of the API, so left out of the OpenAPI document.
  server.get('/*', { schema: { hide: true }, config: { role: 'public' } }, async (request, reply) => {
    const pathname = safeDecode(request.url.split('?')[0] ?? '/');
    if (SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix) || `${pathname}/` === prefix)) {
      throw new AppError('not_found', `No endpoint ${request.method} ${pathname}`);
    }
    if (isClientRoute(pathname)) return sendIndex(reply, dist);
    return sendBuiltFile(reply, pathname);
  });
}
