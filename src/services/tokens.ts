/**
 * API tokens (SPEC §5): immutable, expiring, group-scoped machine principals. The secret is a
 * random UUID shown once; only its SHA-256 is stored, and comparison is constant-time.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError, conflict, notFound } from '../errors.ts';
import {
  type Principal,
  RESERVED_PRINCIPAL_NAME,
  type RoleSettings,
  rolesOf,
} from '../policies/principal.ts';
import type { TokenRow } from '../store/tables.ts';
import type { tokenRepo } from '../store/token-repo.ts';
import type { AuditService } from './audit.ts';
import type { RequestContext } from './request-context.ts';
import { recordTime } from './time-format.ts';

export const expiryPeriods = {
  '1d': { label: '1 day', days: 1 },
  '1w': { label: '1 week', days: 7 },
  '1m': { label: '1 month', days: 30 },
  '3m': { label: '3 months', days: 91 },
  '6m': { label: '6 months', days: 182 },
  '1y': { label: '1 year', days: 365 },
} as const;
export type ExpiryPeriod = keyof typeof expiryPeriods;

const DAY_MS = 86_400_000;

export interface TokenRecord {
  active: 'Y' | 'N';
  age_days: number;
  created: string;
  created_by: string;
  expiry: string;
  groups: string;
  name: string;
}

export interface CreatedToken {
  name: string;
  /** The value of the Authorization header: `Basic base64(name:secret)`. Shown once. */
  header: string;
  expiry: string;
  groups: string[];
}

interface Deps {
  tokens: ReturnType<typeof tokenRepo>;
  audit: AuditService;
  roles: RoleSettings;
  now?: () => Date;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

export function tokenService({ tokens, audit, roles, now = () => new Date() }: Deps) {
  function toRecord(row: TokenRow): TokenRecord {
    const groups = JSON.parse(row.groups_json) as string[];
    const current = now().getTime();
    return {
      active: Date.parse(row.expires_at) > current ? 'Y' : 'N',
      age_days: Math.floor((current - Date.parse(row.created_at)) / DAY_MS),
      created: recordTime(row.created_at),
      created_by: row.created_by,
      expiry: recordTime(row.expires_at),
      groups: groups.join(','),
      name: row.name,
    };
  }

  return {
    async create(
      ctx: RequestContext,
      input: { name: string; expiry: ExpiryPeriod; groups: string[] },
    ): Promise<CreatedToken> {
      if (input.name === RESERVED_PRINCIPAL_NAME) {
        throw new AppError(
          'bad_request',
          `The token name "${RESERVED_PRINCIPAL_NAME}" is reserved for internal use`,
        );
      }
      if (await tokens.findByName(input.name)) {
        throw conflict(
          `A token named "${input.name}" already exists; tokens cannot be altered, delete it first`,
        );
      }
      const secret = randomUUID();
      const created = now();
      const expires = new Date(created.getTime() + expiryPeriods[input.expiry].days * DAY_MS);
      const groups = [...new Set(input.groups)].sort();
      await tokens.insert({
        name: input.name,
        secret_hash: hashSecret(secret).toString('hex'),
        groups_json: JSON.stringify(groups),
        created_by: ctx.principal.name,
        created_at: created.toISOString(),
        expires_at: expires.toISOString(),
      });
      await audit.adminChange(ctx, 'token.create', { name: input.name, groups, expiry: input.expiry });
      const header = `Basic ${Buffer.from(`${input.name}:${secret}`).toString('base64')}`;
      return { name: input.name, header, expiry: recordTime(expires.toISOString()), groups };
    },

    async list(): Promise<TokenRecord[]> {
      return (await tokens.list()).map(toRecord);
    },

    async delete(ctx: RequestContext, name: string): Promise<void> {
      if (!(await tokens.deleteByName(name))) throw notFound(`No token named "${name}"`);
      await audit.adminChange(ctx, 'token.delete', { name });
    },

    /**
     * Checks `name:secret` credentials. Every failure gives the same message so a caller cannot
     * tell a wrong name from a wrong secret; expiry is named since the owner can act on it.
     */
    async authenticate(name: string, secret: string): Promise<Principal> {
      // Built only on failure: capturing a stack on every call is a measurable cost per request.
      const refused = () => new AppError('unauthenticated', 'The token is not valid');
      if (name === RESERVED_PRINCIPAL_NAME) throw refused();
      const row = await tokens.findByName(name);
      const expected = row ? Buffer.from(row.secret_hash, 'hex') : hashSecret('no token of that name');
      const matches = timingSafeEqual(expected, hashSecret(secret));
      if (!row || !matches) throw refused();
      if (Date.parse(row.expires_at) <= now().getTime()) {
        throw new AppError('unauthenticated', `The token "${name}" expired on ${recordTime(row.expires_at)}`);
      }
      const groups = JSON.parse(row.groups_json) as string[];
      return { kind: 'token', name, email: null, groups, ...rolesOf(groups, null, roles) };
    },
  };
}

export type TokenService = ReturnType<typeof tokenService>;
