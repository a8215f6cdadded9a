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
import { tokenRepo } from '../store/token-repo.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import { type FreshnessScope, type MetadataCache, uncached } from './metadata-cache.ts';
import type { RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';
import type { OwnerRemovals } from './schedule-runs.ts';
import { recordTime } from './time-format.ts';
import { newTokenNameKey, tokenNameKey } from './token-names.ts';

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
  db: StoreHandle;
  audit: AuditService;
  roles: RoleSettings;
  /** Pauses the schedules a deleted token owns, in the deletion's transaction. */
  ownedSchedules?: OwnerRemovals;
  /** Where `authenticate` finds tokens by name between writes to the token table. */
  metadata?: MetadataCache;
  now?: () => Date;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
const DUMMY_HASH = hashSecret('no token of that name');

/**
 * The right secret of a token that has expired. Its own class so failed-attempt limits can tell
 * it from a guess: only the holder of the secret can be told this.
 */
export class ExpiredTokenError extends AppError {
  constructor(name: string, expiresAt: string) {
    super('unauthenticated', `The token "${name}" expired on ${recordTime(expiresAt)}`);
  }
}

export function tokenService({
  db,
  audit,
  roles,
  ownedSchedules,
  metadata = uncached,
  now = () => new Date(),
}: Deps) {
  const tokens = tokenRepo(db);
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
    /** The token row and its audit record in one transaction (`within`: of a larger change). */
    async create(
      ctx: RequestContext,
      input: { name: string; expiry: ExpiryPeriod; groups: string[] },
      options: ChangeOptions = {},
    ): Promise<CreatedToken> {
      // Stored in lower case, so the name in the header, the list and the audit is one spelling.
      const name = newTokenNameKey(input.name);
      const secret = randomUUID();
      const created = now();
      const expires = new Date(created.getTime() + expiryPeriods[input.expiry].days * DAY_MS);
      const groups = [...new Set(input.groups)].sort();
      await inTransaction(options.within ?? db, async (trx) => {
        const rows = tokenRepo(trx);
        if ((await rows.findByNameKey(name)).length > 0) {
          throw conflict(
            `A token named "${name}" already exists (names ignore case); tokens cannot be altered, delete it first`,
          );
        }
        await rows.insert({
          name,
          secret_hash: hashSecret(secret).toString('hex'),
          groups_json: JSON.stringify(groups),
          created_by: ctx.principal.name,
          created_at: created.toISOString(),
          expires_at: expires.toISOString(),
        });
        await audit.on(trx).adminChange(ctx, 'token.create', { name, groups, expiry: input.expiry });
      });
      const header = `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
      return { name, header, expiry: recordTime(expires.toISOString()), groups };
    },

    /** Every token (names, groups, creators): admins only. */
    async list(ctx: RequestContext): Promise<TokenRecord[]> {
      requireAdmin(ctx);
      return (await tokens.list()).map(toRecord);
    },

    /** By the name as listed; a name that differs only in case works when it matches one token. */
    async delete(ctx: RequestContext, name: string): Promise<void> {
      const key = tokenNameKey(name);
      const paused = await inTransaction(db, async (trx) => {
        const rows = tokenRepo(trx);
        const matches = key ? await rows.findByNameKey(key) : [];
        const row =
          matches.find((candidate) => candidate.name === name) ?? (matches.length === 1 ? matches[0] : null);
        if (!row || !(await rows.deleteByName(row.name))) throw notFound(`No token named "${name}"`);
        const count = (await ownedSchedules?.pause(trx, 'token', row.name)) ?? 0;
        await audit.on(trx).adminChange(ctx, 'token.delete', { name: row.name });
        return count;
      });
      if (paused > 0) await ownedSchedules?.changed();
    },

    /**
     * Checks `name:secret` credentials. Every failure gives the same message so a caller cannot
     * tell a wrong name from a wrong secret; expiry is named since the owner can act on it.
     * No context: this runs before there is a principal (it is what makes one).
     */
    async authenticate(name: string, secret: string, scope?: FreshnessScope): Promise<Principal> {
      // Built only on failure: capturing a stack on every call is a measurable cost per request.
      const refused = () => new AppError('unauthenticated', 'The token is not valid');
      // A name outside the allowed set (a look-alike, an invisible character) is never a token.
      const key = tokenNameKey(name);
      const candidates =
        key && key !== RESERVED_PRINCIPAL_NAME
          ? await metadata.get(`token:${key}`, () => tokens.findByNameKey(key), scope)
          : [];
      const presented = hashSecret(secret);
      // Every candidate is compared (old names may differ only in case); with no candidate a
      // dummy hash is, so an unknown name costs what a known one does.
      let row: TokenRow | undefined;
      for (const candidate of candidates) {
        if (timingSafeEqual(Buffer.from(candidate.secret_hash, 'hex'), presented)) row = candidate;
      }
      if (candidates.length === 0) timingSafeEqual(DUMMY_HASH, presented);
      if (!row) throw refused();
      if (Date.parse(row.expires_at) <= now().getTime())
        throw new ExpiredTokenError(row.name, row.expires_at);
      const groups = JSON.parse(row.groups_json) as string[];
      // The stored spelling: schedules and audit records refer to the token by it.
      return { kind: 'token', name: row.name, email: null, groups, ...rolesOf(groups, null, roles) };
    },
  };
}

export type TokenService = ReturnType<typeof tokenService>;
