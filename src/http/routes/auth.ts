/**
 * Sign-in and sign-out: local accounts (`POST /auth/login`), single sign-on (`/auth/sso` and its
 * callback), and `GET /api/me` for whoever is calling. Failed local sign-ins are rate limited
 * per address and per email, so neither spraying one password nor guessing one account works.
 * Unlike a token, a password is guessable, so a lock applies to the right password as well:
 * were the right one let through, a blocked guesser would still learn which guess was right.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest, RateLimitedError } from '../../errors.ts';
import type { Principal } from '../../policies/principal.ts';
import { FLOW_MAX_AGE_SECONDS } from '../../services/oidc.ts';
import { normalizeEmail } from '../../services/users.ts';
import { type AttemptLimits, blockedFor, countFailure } from '../../store/rate-limit-store.ts';
import { answers, emptyRecord, okEnvelope } from '../envelope.ts';
import { anonymousContextOf, callerOf, contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import { refuseCrossSiteLogin } from '../same-origin-login.ts';
import type { RouteDeps } from '../server.ts';
import {
  clearFlowCookie,
  clearSessionCookie,
  SSO_FLOW_COOKIE,
  setFlowCookie,
  setSessionCookie,
} from '../session-cookie.ts';
import { authOptionsRecord, loginBody, principalRecord } from './auth.schema.ts';

const tags = ['auth'];
const WINDOW_SECONDS = 900;
const FAILURES_PER_ADDRESS = 20;
const FAILURES_PER_EMAIL = 5;

function presentPrincipal(principal: Principal, csrfToken: string | null) {
  return {
    kind: principal.kind,
    name: principal.name,
    email: principal.email,
    groups: [...principal.groups],
    is_admin: principal.isAdmin,
    is_editor: principal.isEditor,
    ...(csrfToken === null ? {} : { csrf_token: csrfToken }),
  };
}

function loginLimiter(limits: AttemptLimits) {
  const byAddress = limits.limiter({
    keyPrefix: 'login-address',
    points: FAILURES_PER_ADDRESS,
    duration: WINDOW_SECONDS,
  });
  const byEmail = limits.limiter({
    keyPrefix: 'login-email',
    points: FAILURES_PER_EMAIL,
    duration: WINDOW_SECONDS,
  });
  const keys = (address: string, email: string) =>
    [
      [byAddress, address],
      [byEmail, email],
    ] as const;
  return {
    async checkNotBlocked(address: string, email: string) {
      const wait = await blockedFor(keys(address, email));
      if (wait !== null) throw new RateLimitedError(wait);
    },
    async failed(address: string, email: string) {
      await countFailure(keys(address, email));
    },
    async succeeded(email: string) {
      await byEmail.delete(email);
    },
  };
}

export function authRoutes(server: ApiServer, { services, config, attemptLimits, metrics }: RouteDeps) {
  const limiter = loginLimiter(attemptLimits);

  const callbackUrl = (request: FastifyRequest) =>
    `${config.publicUrl ?? `${request.protocol}://${request.host}`}/auth/sso/callback`;

  // onRequest: a cross-site attempt is refused before its body is even read.
  const sameOriginOnly = async (request: FastifyRequest) => refuseCrossSiteLogin(request, config.publicUrl);
  server.post(
    '/auth/login',
    {
      config: { role: 'public' },
      onRequest: sameOriginOnly,
      schema: {
        summary: 'Sign in with email and password (local accounts)',
        response: answers(principalRecord),
        tags,
        body: loginBody,
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const key = normalizeEmail(email);
      await limiter.checkNotBlocked(request.ip, key);
      try {
        const { principal, session } = await services.users.signInWithPassword(
          anonymousContextOf(request),
          email,
          password,
        );
        await limiter.succeeded(key);
        setSessionCookie(request, reply, session);
        return okEnvelope([presentPrincipal(principal, session.csrfToken)]);
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthenticated') {
          metrics.authFailures.inc({ kind: 'password' });
          await limiter.failed(request.ip, key);
        }
        throw error;
      }
    },
  );

  server.post(
    '/auth/logout',
    { schema: { summary: 'Sign out', response: answers(emptyRecord), tags } },
    async (request, reply: FastifyReply) => {
      const caller = callerOf(request);
      if (!caller.session)
        throw badRequest('Sign-out ends browser sessions; a token is ended by deleting it');
      await services.users.signOut(contextOf(request), caller.session.cookieValue);
      clearSessionCookie(request, reply);
      return okEnvelope([], 'Signed out');
    },
  );

  const sso = (summary: string) => ({ config: { role: 'public' }, schema: { summary, tags } }) as const;
  server.get('/auth/sso', sso('Start an SSO (OpenID Connect) sign-in'), async (request, reply) => {
    const { url, flowCookie } = await services.oidc.begin(callbackUrl(request));
    setFlowCookie(request, reply, flowCookie, FLOW_MAX_AGE_SECONDS);
    return reply.redirect(url, 302);
  });

  server.get('/auth/sso/callback', sso('SSO redirect target'), async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const flow = request.cookies[SSO_FLOW_COOKIE];
    clearFlowCookie(request, reply);
    const { session } = await services.oidc.complete(anonymousContextOf(request), query, flow);
    setSessionCookie(request, reply, session);
    return reply.redirect('/', 303);
  });

  /** Unauthenticated: what the sign-in page offers. */
  server.get(
    '/api/auth/options',
    {
      config: { role: 'public' },
      schema: {
        summary: 'Whether single sign-on is offered (no credentials needed)',
        response: answers(authOptionsRecord),
        tags,
      },
    },
    async () => okEnvelope([{ sso: config.oidc !== null }]),
  );

  server.get(
    '/api/me',
    { schema: { summary: 'The signed-in principal', response: answers(principalRecord), tags } },
    async (request) => {
      const caller = callerOf(request);
      return okEnvelope([presentPrincipal(caller.principal, caller.session?.csrfToken ?? null)]);
    },
  );
}
