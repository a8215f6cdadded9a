/**
 * oidc-provider ships no types and @types/oidc-provider lags behind v9; this declares only the
 * slice the SSO test uses.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  interface ProviderConfiguration {
    clients?: Array<Record<string, unknown>>;
    scopes?: string[];
    claims?: Record<string, string[]>;
    cookies?: { keys?: string[] };
    features?: Record<string, { enabled: boolean }>;
    findAccount?(context: unknown, sub: string): Promise<Account | undefined>;
    /** Whether a code or refresh grant answers with a refresh token. */
    issueRefreshToken?(
      context: unknown,
      client: { grantTypeAllowed(grant: string): boolean },
      code: unknown,
    ): Promise<boolean>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
