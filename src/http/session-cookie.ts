/**
 * The browser session cookie `sr_session`: HttpOnly (no script reads it), SameSite=Lax (not sent
 * on cross-site POSTs), Secure whenever the request arrived over https (behind a trusted proxy,
 * `X-Forwarded-Proto` counts). The value is 32 random bytes, so it needs no signature.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NewSession } from '../services/sessions.ts';

export const SESSION_COOKIE = 'sr_session';
/** Holds the sealed state of an SSO sign-in between the redirect and the callback. */
export const SSO_FLOW_COOKIE = 'sr_sso_flow';
export const SSO_FLOW_PATH = '/auth/sso';

const base = (request: FastifyRequest) =>
  ({ httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' }) as const;

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: NewSession) {
  reply.setCookie(SESSION_COOKIE, session.cookieValue, {
    ...base(request),
    path: '/',
    maxAge: session.maxAgeSeconds,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { ...base(request), path: '/' });
}

export function setFlowCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number) {
  reply.setCookie(SSO_FLOW_COOKIE, value, { ...base(request), path: SSO_FLOW_PATH, maxAge });
}

export function clearFlowCookie(request: FastifyRequest, reply: FastifyReply) {
  reply.clearCookie(SSO_FLOW_COOKIE, { ...base(request), path: SSO_FLOW_PATH });
}
