/**
 * Serves the built web app (`web/dist`): hashed assets with long caching, and `index.html` for
 * every other GET that is not an API, auth, report, template or health path, so client routes
 * such as `/reports/<slug>` and `/admin/tokens` load the app. Registered last.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import type { RouteDeps } from '../server.ts';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Never answered with the app: unknown paths here are JSON 404s, not a page that says 200. */
const SERVER_PREFIXES = ['/api/', '/auth/', '/report/', '/template/', '/healthz', '/readyz', '/metrics'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
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

async function fileIn(root: string, relative: string): Promise<string | null> {
  const full = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`);
  if (!full.startsWith(root)) return null;
  try {
    return (await stat(full)).isFile() ? full : null;
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function sendIndex(reply: FastifyReply, root: string) {
  const index = await fileIn(root, 'index.html');
  if (!index) return reply.code(503).type('text/html; charset=utf-8').send(MISSING);
  return reply
    .header('content-security-policy', APP_CSP)
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(await readFile(index));
}

export function webAppRoutes(server: FastifyInstance, _deps: RouteDeps, root = WEB_DIST) {
  const dist = path.resolve(root);
  // Not part of the API, so left out of the OpenAPI document.
  server.get('/*', { schema: { hide: true }, config: { role: 'public' } }, async (request, reply) => {
    const pathname = safeDecode(request.url.split('?')[0] ?? '/');
    if (SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix) || `${pathname}/` === prefix)) {
      throw new AppError('not_found', `No endpoint ${request.method} ${pathname}`);
    }
    const file = pathname === '/' ? null : await fileIn(dist, pathname);
    if (!file) {
      // Client routes (`/reports/<slug>`, `/admin/…`) have no file extension; a missing file does.
      if (pathname.startsWith('/assets/') || path.posix.extname(pathname) !== '') {
        throw new AppError('not_found', `No file ${pathname}`);
      }
      return sendIndex(reply, dist);
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    const immutable = pathname.startsWith('/assets/');
    return reply
      .type(type)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(await readFile(file));
  });
}
