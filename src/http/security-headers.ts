/**
 * Helmet's security headers, computed once at start. Helmet's middleware runs a single time
 * against an unsent ServerResponse and the headers it set are read back; every request then gets
 * the same values with one setHeader each. (@fastify/helmet built the middleware, and with it
 * the CSP string, again on every request.) A route still replaces one with `reply.header` — the
 * web app's CSP, template pages, group images — because Fastify's own headers win over those set
 * on the raw response when the answer is written, exactly as they did over @fastify/helmet's.
 */
import { IncomingMessage, type OutgoingHttpHeader, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** Header names as helmet spells them, with their values, in the order helmet sets them. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: OutgoingHttpHeader]>;

/** The server's policy: same-origin content and no framing; helmet's defaults otherwise. */
export const SECURITY_HEADER_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
};

/** An unsent answer that remembers how each header name was spelled when it was set. */
class SpellingResponse extends ServerResponse {
  readonly spelling = new Map<string, string>();
  override setHeader(name: string, value: OutgoingHttpHeader): this {
    this.spelling.set(name.toLowerCase(), name);
    return super.setHeader(name, value);
  }
}

/** The headers helmet sets for `options`; throws what helmet throws for invalid options. */
export function helmetHeaders(options: Readonly<HelmetOptions>): HeaderList {
  const request = new IncomingMessage(new Socket());
  const response = new SpellingResponse(request);
  let failure: unknown;
  helmet(options)(request, response, (error) => {
    failure = error;
  });
  if (failure) throw failure;
  return response.getHeaderNames().flatMap((name) => {
    const value = response.getHeader(name);
    return value === undefined ? [] : [[response.spelling.get(name) ?? name, value] as const];
  });
}

/** Sets `headers` on every answer, 404s and errors included; call before any other hook. */
export function sendSecurityHeaders(server: FastifyInstance, headers: HeaderList): void {
  // A callback hook: no promise per request for work that never waits.
  server.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of headers) raw.setHeader(name, value);
    done();
  });
}
