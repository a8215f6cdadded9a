/**
 * One log line and one set of HTTP metrics per request, and a request id on both, on every log
 * line of the request, and in the `X-Request-Id` answer header — errors included — so a caller's
 * report of a failure can be found in the logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { levels } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import { redactUrl } from '../observability/redact.ts';
import type { Authenticator } from './auth.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Short enough for a log field and free of anything a log viewer could misread. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Fastify's genReqId: the proxy's id when it is a safe token, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** Who made the request, once authentication has resolved it; read by the log line. */
const principals = new WeakMap<FastifyRequest, string>();

/** The authenticator, remembering each request's principal name for the request log. */
export function rememberingPrincipals(auth: Authenticator): Authenticator {
  return {
    ...auth,
    async callerOf(request) {
      const caller = await auth.callerOf(request);
      principals.set(request, caller.principal.name);
      return caller;
    },
    async principalOf(request) {
      const principal = await auth.principalOf(request);
      principals.set(request, principal.name);
      return principal;
    },
  };
}

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

/** Registers the hooks; call before any route so every answer carries the request id. */
export function observeRequests(server: FastifyInstance, metrics: Metrics) {
  // The level is the app's, fixed at start: below `info` the line (and the URL redaction it
  // costs on every request) is skipped.
  const writesLines = (levels.values[server.log.level] ?? Number.POSITIVE_INFINITY) <= levels.values.info!;
  // A callback hook: no promise per request for work that never waits.
  server.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const route = routeLabel(request, status);
    const durationMs = reply.elapsedTime;
    metrics.httpRequests.inc({ method: request.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: request.method, route }, durationMs / 1000);
    if (writesLines) logLine(request, route, status, durationMs);
    done();
  });
}

function logLine(request: FastifyRequest, route: string, status: number, durationMs: number) {
  request.log.info(
    {
      method: request.method,
      route,
      url: redactUrl(request.url),
      status,
      durationMs: Math.round(durationMs * 10) / 10,
      principal: principals.get(request),
    },
    'request completed',
  );
}
