/**
 * Who is asking, from where, under which request id, and until when: the first argument of every
 * service method that acts for a caller. The HTTP hook builds one per request; internal work
 * (schedules, demo setup, the CLI) builds one with `internalContext`. Audit records take the
 * principal, client address and request id from it, so none is ever left out.
 */
import { randomUUID } from 'node:crypto';
import { internalPrincipal } from '../policies/internal-principal.ts';
import type { Principal } from '../policies/principal.ts';

export interface RequestContext {
  principal: Principal;
  /** The client address (Fastify's `request.ip`); null for the server's own work. */
  client: string | null;
  /** The `X-Request-Id` of the request, or a generated id for internal work. */
  requestId: string;
  /** Aborted when the caller goes away; cancels statements on the database. */
  signal: AbortSignal;
  /**
   * What the metadata lookups of this request are validated for (metadata-cache.ts): the HTTP
   * request, which its token lookup used before this context existed, so the store's change
   * counter is read once per request. Without it, the context itself.
   */
  freshness?: object;
}

/** What is known before anyone has signed in: the address and the request id (sign-in audit). */
export type AnonymousContext = Pick<RequestContext, 'client' | 'requestId'>;

/** A context for work done by (or for) `principal` without a request: schedules, CLI, tests. */
export function contextFor(
  principal: Principal,
  options: { requestId?: string; signal?: AbortSignal } = {},
): RequestContext {
  return {
    principal,
    client: null,
    requestId: options.requestId ?? `internal-${randomUUID()}`,
    signal: options.signal ?? new AbortController().signal,
  };
}

/** The server's own principal (`api.user`), no client, a generated request id. */
export function internalContext(adminGroup: string, signal?: AbortSignal): RequestContext {
  return contextFor(internalPrincipal(adminGroup), { signal });
}
