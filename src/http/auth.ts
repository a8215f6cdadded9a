/**
 * Turns a request into a Principal. Tokens come only in the `Authorization: Basic` header; a
 * credential in the URL is refused outright so it never lands in logs or browser history.
 * A correct token is always accepted: its secret has 122 random bits, so guessing it is not the
 * threat, and refusing it would let a stale token on a shared (NAT) address lock everyone there
 * out. Only a wrong credential consults the failure limits, per address and per token name.
 * Without an Authorization header the browser session cookie is used; since browsers send it
 * on their own, unsafe methods must also carry the session's CSRF token in `X-CSRF-Token`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, RateLimitedError } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { tokenNameKey } from '../services/token-names.ts';
import { ExpiredTokenError, type TokenService } from '../services/tokens.ts';
import type { UserService } from '../services/users.ts';
import { type AttemptLimits, type CounterKey, countFailure } from '../store/rate-limit-store.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

/** Query parameter names refused as credentials in the URL; the log redaction covers each (test/unit/redact.test.ts). */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'token',
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'auth_token',
  'secret',
]);

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Who is calling, and for a browser session the values the session routes need. */
export interface Caller {
  principal: Principal;
  session: { cookieValue: string; csrfToken: string } | null;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Timing-safe: both sides are hashed to equal length first. */
function checkCsrf(sent: string | string[] | undefined, expected: string) {
  if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), digest(expected))) {
    throw new AppError('forbidden', 'Missing or wrong CSRF token');
  }
}

export interface AuthOptions {
  tokens: TokenService;
  users: Pick<UserService, 'authenticateSession'>;
  /** Where failures are counted: the metadata store, shared by every instance. */
  attemptLimits: AttemptLimits;
  /** Failed attempts allowed per address per window. */
  failuresAllowed?: number;
  /** Failed attempts allowed per token name per window, from all addresses together. */
  failuresPerName?: number;
  windowSeconds?: number;
  /** Told of each rejected credential (metrics); not of requests that sent none. */
  onFailure?: (kind: 'token' | 'session') => void;
}

export function authenticator(options: AuthOptions) {
  const {
    tokens,
    users,
    failuresAllowed = 10,
    failuresPerName = 10,
    windowSeconds = 300,
    onFailure,
  } = options;
  const byAddress = options.attemptLimits.limiter({
    keyPrefix: 'token-address',
    points: failuresAllowed,
    duration: windowSeconds,
  });
  const byName = options.attemptLimits.limiter({
    keyPrefix: 'token-name',
    points: failuresPerName,
    duration: windowSeconds,
  });

  function refuseUrlCredentials(request: FastifyRequest) {
    const query = request.query as Record<string, unknown> | undefined;
    for (const name of Object.keys(query ?? {})) {
      if (CREDENTIAL_PARAMS.has(name.toLowerCase())) {
        throw new AppError(
          'bad_request',
          `Credentials are not accepted in the URL ("${name}"); send them in the Authorization header`,
        );
      }
    }
  }

  function parseBasic(header: string | undefined): { name: string; secret: string } {
    const match = header ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError(
        'unauthenticated',
        'Send a token in the Authorization header: "Basic base64(name:secret)"',
      );
    }
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new AppError('unauthenticated', 'The Authorization header is not "Basic base64(name:secret)"');
    return { name: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }

  async function sessionCaller(request: FastifyRequest, cookieValue: string): Promise<Caller> {
    const { principal, found } = await users.authenticateSession(cookieValue);
    const csrfToken = found.session.csrf_token;
    if (UNSAFE_METHODS.has(request.method)) checkCsrf(request.headers['x-csrf-token'], csrfToken);
    return { principal, session: { cookieValue, csrfToken } };
  }

  async function callerOf(request: FastifyRequest): Promise<Caller> {
    const cookieValue = request.cookies?.[SESSION_COOKIE];
    if (request.headers.authorization === undefined && cookieValue) {
      refuseUrlCredentials(request);
      return sessionCaller(request, cookieValue).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'unauthenticated') onFailure?.('session');
        throw error;
      });
    }
    return { principal: await tokenPrincipal(request), session: null };
  }

  /**
   * Counts a wrong credential per address and, for a well-formed name, per name (whether or not
   * a token has it, so a 429 tells nothing about which names exist); over a limit it is a 429.
   */
  async function countWrongCredential(request: FastifyRequest, name: string | null) {
    const key = name === null ? null : tokenNameKey(name);
    const counters: CounterKey[] = [[byAddress, request.ip]];
    if (key) counters.push([byName, key]);
    const wait = await countFailure(counters);
    if (wait !== null) throw new RateLimitedError(wait);
  }

  async function tokenPrincipal(request: FastifyRequest): Promise<Principal> {
    refuseUrlCredentials(request);
    // A request with no credentials at all is not a guess: it is answered 401 without counting,
    // so anonymous traffic from a shared address cannot lock out that address's tokens.
    if (request.headers.authorization === undefined) parseBasic(undefined);
    let name: string | null = null;
    try {
      const credentials = parseBasic(request.headers.authorization);
      name = credentials.name;
      return await tokens.authenticate(credentials.name, credentials.secret, request);
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthenticated') {
        onFailure?.('token');
        // An expired token's right secret is not a guess either; only its holder learns of it.
        if (!(error instanceof ExpiredTokenError)) await countWrongCredential(request, name);
      }
      throw error;
    }
  }

  return {
    callerOf,
    /** Resolves the caller or throws 400 (URL credentials), 401, 403 (CSRF) or 429. */
    async principalOf(request: FastifyRequest): Promise<Principal> {
      return (await callerOf(request)).principal;
    },
  };
}

export type Authenticator = ReturnType<typeof authenticator>;
