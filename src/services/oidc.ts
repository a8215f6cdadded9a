/**
 * Single sign-on with OpenID Connect (openid-client): authorization code flow with PKCE, state
 * and nonce. The flow's secrets travel in a sealed (AES-GCM, server key), short-lived, HttpOnly
 * cookie rather than a table, so any instance can finish a flow another one began.
 */
import type * as OpenId from 'openid-client';
import type { OidcConfig } from '../config.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import type { AnonymousContext } from './request-context.ts';
import type { SecretBox } from './server-key.ts';
import type { SignedIn, UserService } from './users.ts';

interface Deps {
  oidc: OidcConfig | null;
  box: SecretBox;
  users: Pick<UserService, 'signInWithSso'>;
  now?: () => number;
}

interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  /** Epoch ms after which the flow is refused. */
  expires: number;
}

export const FLOW_MAX_AGE_SECONDS = 600;

/** openid-client (with jose and oauth4webapi) as imported; unset until the first SSO call. */
let openIdModule: typeof OpenId | undefined;
let openIdLoading: Promise<typeof OpenId> | undefined;

/**
 * openid-client is imported by the first sign-in (or group refresh), so a server without SSO,
 * and every start-up, goes without it. A failed import is tried again by the next call.
 */
function openIdClient(): Promise<typeof OpenId> {
  openIdLoading ??= import('openid-client').then(
    (module) => {
      openIdModule = module;
      return module;
    },
    (error: unknown) => {
      openIdLoading = undefined;
      throw error;
    },
  );
  return openIdLoading;
}

function providerFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // An answer of the provider can only come from a loaded client.
  const client = openIdModule;
  if (
    client &&
    (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError)
  ) {
    return badRequest(`The sign-in provider refused: ${error.error_description ?? error.error}`);
  }
  // 502: the message names no internals; the cause is logged at the edge.
  return new AppError('database_unreachable', 'Single sign-on failed at the provider; see the server log', {
    cause: error,
  });
}

function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[,\s]+/).filter(Boolean);
  return [];
}

/** The slice of a token endpoint answer (code or refresh grant) read here. */
type TokenAnswer = Pick<
  OpenId.TokenEndpointResponse & OpenId.TokenEndpointResponseHelpers,
  'access_token' | 'claims'
>;

/**
 * The identity's claims: the ID token's, completed from userinfo when the email or the groups
 * claim is missing, since many providers release scope claims only there. A refresh answer may
 * carry no ID token; then `subject` (the stored one) is what userinfo must answer for.
 */
async function claimsOf(
  config: OpenId.Configuration,
  tokens: TokenAnswer,
  subject: string | undefined,
  groupsClaim: string,
): Promise<Record<string, unknown>> {
  const client = await openIdClient();
  const claims: Record<string, unknown> = { ...tokens.claims() };
  if (claims.email && groupsClaim in claims) return claims;
  const expected = claims.sub === undefined ? subject : String(claims.sub);
  const info = await client.fetchUserInfo(config, tokens.access_token, expected ?? client.skipSubjectCheck);
  return { ...claims, ...info };
}

export function oidcService({ oidc, box, users, now = Date.now }: Deps) {
  let discovered: Promise<OpenId.Configuration> | undefined;

  function settings(): OidcConfig {
    if (!oidc) throw notFound('Single sign-on is not configured (set OIDC_ISSUER and OIDC_CLIENT_ID)');
    return oidc;
  }

  /** Discovery once per process; a failure is not cached so the next sign-in tries again. */
  function configuration(): Promise<OpenId.Configuration> {
    const { issuer, clientId, clientSecret } = settings();
    discovered ??= openIdClient()
      .then((client) =>
        client.discovery(
          new URL(issuer),
          clientId,
          clientSecret,
          clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
          // An http issuer is only plausible on a private network or in tests; the operator chose it.
          issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined,
        ),
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw providerFailure(error);
      });
    return discovered;
  }

  function openFlow(sealed: string | undefined): FlowState {
    const stale = () => badRequest('This sign-in attempt is unknown or too old; start the sign-in again');
    if (!sealed) throw stale();
    let flow: FlowState;
    try {
      flow = JSON.parse(box.open(sealed)) as FlowState;
    } catch {
      throw stale();
    }
    if (flow.expires <= now()) throw stale();
    return flow;
  }

  return {
    enabled: oidc !== null,

    /**
     * The provider's authorization URL and the sealed flow state to keep in a cookie. No context:
     * the caller is not signed in yet, and nothing is read or written for anyone.
     */
    async begin(redirectUri: string): Promise<{ url: string; flowCookie: string }> {
      const config = await configuration();
      const client = await openIdClient();
      const flow: FlowState = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        redirectUri,
        expires: now() + FLOW_MAX_AGE_SECONDS * 1000,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings().scopes,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return { url: url.href, flowCookie: box.seal(JSON.stringify(flow)) };
    },

    /** Finishes the flow from the callback's query string and signs the user in. */
    async complete(anon: AnonymousContext, query: string, flowCookie: string | undefined): Promise<SignedIn> {
      const flow = openFlow(flowCookie);
      const currentUrl = new URL(flow.redirectUri);
      currentUrl.search = query;
      // openid-client checks this too; checking first makes a forged or crossed response a 400.
      const state = currentUrl.searchParams.get('state');
      if (state !== null && !currentUrl.searchParams.has('error') && state !== flow.state) {
        throw badRequest('This sign-in response belongs to another sign-in attempt; start the sign-in again');
      }
      const config = await configuration();
      const client = await openIdClient();
      let claims: Record<string, unknown>;
      let refreshToken: string | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = await claimsOf(config, tokens, undefined, settings().groupsClaim);
        refreshToken = tokens.refresh_token;
      } catch (error) {
        throw providerFailure(error);
      }
      if (typeof claims.email !== 'string' || !claims.email.includes('@')) {
        throw badRequest('The sign-in provider sent no email address; ask it to release the email claim');
      }
      return users.signInWithSso(anon, {
        subject: String(claims.sub),
        email: claims.email,
        groups: groupsFrom(claims[settings().groupsClaim]),
        sealedRefreshToken: refreshToken ? box.seal(refreshToken) : null,
      });
    },

    /**
     * The user's current groups from the provider, by the refresh token kept from their last
     * sign-in (openid-client's refresh grant, then userinfo where the ID token lacks the claim).
     * Null when the provider refuses the token (revoked, expired, or the user was removed): the
     * groups then refresh at the next sign-in. Providers that rotate refresh tokens send a new
     * one, returned sealed to be stored in place of the old.
     */
    async currentGroups(
      subject: string,
      sealedRefreshToken: string,
    ): Promise<{ groups: string[]; sealedRefreshToken: string } | null> {
      const config = await configuration();
      const client = await openIdClient();
      let token: string;
      try {
        token = box.open(sealedRefreshToken);
      } catch {
        return null; // sealed under an earlier server key
      }
      try {
        const tokens = await client.refreshTokenGrant(config, token);
        const claims = await claimsOf(config, tokens, subject, settings().groupsClaim);
        return {
          groups: groupsFrom(claims[settings().groupsClaim]),
          sealedRefreshToken: tokens.refresh_token ? box.seal(tokens.refresh_token) : sealedRefreshToken,
        };
      } catch (error) {
        if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') return null;
        throw providerFailure(error);
      }
    },
  };
}

export type OidcService = ReturnType<typeof oidcService>;
