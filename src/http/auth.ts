/**
 * Turns a request into a Principal. Tokens come only in the `Authorization: Basic` header; a
 * credential in the URL is refused outright so it never lands in logs or browser history.
 * Repeated failures from one address are rate limited before the store is even asked.
 */
import type { FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import type { TokenService } from '../services/tokens.ts';

const CREDENTIAL_PARAMS = new Set([
  'token',
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'auth_token',
  'secret',
]);

export interface AuthOptions {
  tokens: TokenService;
  /** Failed attempts allowed per address per window. */
  failuresAllowed?: number;
  windowSeconds?: number;
}

export function authenticator({ tokens, failuresAllowed = 10, windowSeconds = 300 }: AuthOptions) {
  const failures = new RateLimiterMemory({ points: failuresAllowed, duration: windowSeconds });

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

  async function checkNotBlocked(address: string) {
    const state = await failures.get(address);
    if (state && state.consumedPoints >= failuresAllowed) {
      const seconds = Math.ceil(state.msBeforeNext / 1000);
      throw new AppError('rate_limited', `Too many failed sign-in attempts; try again in ${seconds} s`);
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

  return {
    /** Resolves the caller or throws 400 (URL credentials), 401 or 429. */
    async principalOf(request: FastifyRequest): Promise<Principal> {
      refuseUrlCredentials(request);
      await checkNotBlocked(request.ip);
      try {
        const { name, secret } = parseBasic(request.headers.authorization);
        return await tokens.authenticate(name, secret);
      } catch (error) {
        if (error instanceof AppError && error.code === 'unauthenticated') {
          await failures.consume(request.ip).catch((rejection: unknown) => {
            if (!(rejection instanceof RateLimiterRes)) throw rejection;
          });
        }
        throw error;
      }
    },
  };
}

export type Authenticator = ReturnType<typeof authenticator>;
