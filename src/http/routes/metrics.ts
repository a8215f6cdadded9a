/**
 * `GET /metrics` in the Prometheus text format. Registered only when METRICS_TOKEN is set (off,
 * the path is a JSON 404 like any unknown server path), and then only for `Bearer <token>`: the
 * numbers name reports and connections, which are not for everyone.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errorEnvelope } from '../envelope.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Timing-safe: both sides are hashed to equal length first. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return Boolean(match?.[1]) && timingSafeEqual(digest(match?.[1] ?? ''), digest(token));
}

export function metricsRoutes(server: ApiServer, { config, metrics }: RouteDeps) {
  const token = config.metricsToken;
  if (!token) return;
  // Not part of the API, so left out of the OpenAPI document.
  // Public to the authorization hook: the metrics token below is its own credential.
  server.get('/metrics', { schema: { hide: true }, config: { role: 'public' } }, async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('application/json; charset=utf-8')
        .send(errorEnvelope('Send the metrics token as "Authorization: Bearer <token>"'));
    }
    metrics.startProcessMetrics();
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
