/** HTTP metrics: one count and one duration per answered request, labelled by route pattern. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../observability/metrics.ts';

/**
 * The route pattern as the label, never the URL. A 404 — from the not-found handler or from the
 * web app's catch-all refusing a server path — is one `unmatched` label, so scanners probing
 * random paths cannot grow the series.
 */
function routeLabel(request: FastifyRequest, status: number): string {
  const pattern = request.routeOptions.url;
  if (!pattern || (status === 404 && pattern.endsWith('*'))) return 'unmatched';
  return pattern;
}

/** Registers the hooks; call before any route. */
export function observeRequests(server: FastifyInstance, metrics: Metrics) {
  server.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = routeLabel(request, status);
    metrics.httpRequests.inc({ method: request.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
