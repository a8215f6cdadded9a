/**
 * People (SPEC §2): local accounts (argon2id) and SSO users created at first sign-in. A user's
 * groups are their SSO groups ∪ every group list naming their email ∪ `*`, worked out on each
 * request so a change to a group list applies at once; roles follow from `rolesOf`.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { type Principal, type RoleSettings, rolesOf } from '../policies/principal.ts';
import type { SessionWithUser } from '../store/session-repo.ts';
import type { AppUserRow } from '../store/tables.ts';
import { inTransaction, type StoreHandle } from '../store/transactions.ts';
import { type UserRepo, userRepo } from '../store/user-repo.ts';
import type { AuditService } from './audit.ts';
import type { AnonymousContext, RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';
import type { OwnerRemovals } from './schedule-runs.ts';
import type { NewSession, SessionService } from './sessions.ts';
import { recordTime } from './time-format.ts';

interface Deps {
  db: StoreHandle;
  sessions: SessionService;
  audit: AuditService;
  roles: RoleSettings;
  /** Group lists that contain the email (lower case); provided by the group-list service. */
  groupsForEmail(email: string): Promise<string[]>;
  /**
   * Asks the sign-in provider for a user's current groups with their stored refresh token
   * (oidc.ts); null when it refuses the token. Absent without SSO.
   */
  ssoGroups?: (
    subject: string,
    sealedRefreshToken: string,
  ) => Promise<{ groups: string[]; sealedRefreshToken: string } | null>;
  /** Pauses a deleted user's schedules in the deletion's transaction (schedule-runs.ts). */
  ownedSchedules?: OwnerRemovals;
  now?: () => Date;
}

export interface SignedIn {
  principal: Principal;
  session: NewSession;
}

export interface SsoIdentity {
  subject: string;
  email: string;
  groups: string[];
  /** The provider's refresh token, sealed with the server key; null when it issued none. */
  sealedRefreshToken?: string | null;
}

/** What a group refresh did, in words for the admin: whether the provider was asked. */
export interface GroupRefresh {
  record: UserRecord;
  message: string;
}

export interface UserRecord {
  email: string;
  /** How the user can sign in: `sso`, `password`, both, or `none` (pre-created, SSO not yet used). */
  sign_in: string;
  groups: string[];
  is_admin: boolean;
  is_editor: boolean;
  last_login: string | null;
  created: string;
  /** Live sessions; null where not counted (the answer of a group refresh). */
  active_sessions: number | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const parseGroups = (json: string) => JSON.parse(json) as string[];

function signInMethods(row: AppUserRow): string {
  const methods = [row.sso_subject ? 'sso' : '', row.password_hash ? 'password' : ''].filter(Boolean);
  return methods.length > 0 ? methods.join('+') : 'none';
}

const AT_SIGN_IN = 'SSO groups are those sent at the last sign-in and refresh at the next one';

export function userService(deps: Deps) {
  const { db, sessions, audit, roles, groupsForEmail, ownedSchedules, now = () => new Date() } = deps;
  const users = userRepo(db);
  // Unknown emails are checked against this hash too, so the answer time does not reveal accounts.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hash(randomBytes(16).toString('hex'));
    return dummyHash;
  };
  const refused = () => new AppError('unauthenticated', 'Wrong email or password');

  async function principalOf(row: Pick<AppUserRow, 'email' | 'sso_groups_json'>): Promise<Principal> {
    const listed = await groupsForEmail(row.email);
    const groups = [...new Set([...parseGroups(row.sso_groups_json), ...listed, '*'])].sort();
    return { kind: 'user', name: row.email, email: row.email, groups, ...rolesOf(groups, row.email, roles) };
  }

  /**
   * Signs the user in: `write` stores the user's row (returning its id), then the last sign-in
   * time, the session and the audit record follow, all in one transaction.
   */
  async function startSession(
    anon: AnonymousContext,
    row: Pick<AppUserRow, 'email' | 'sso_groups_json'>,
    method: string,
    write: (rows: UserRepo) => Promise<number>,
  ): Promise<SignedIn> {
    // Group lists are read before the transaction: on SQLite a read on the store would wait for it.
    const principal = await principalOf(row);
    const session = await inTransaction(db, async (trx) => {
      const rows = userRepo(trx);
      const id = await write(rows);
      await rows.update(id, { last_login: now().toISOString() });
      const created = await sessions.create(id, { within: trx });
      await audit.on(trx).adminChange({ ...anon, principal }, 'user.login', { method });
      return created;
    });
    return { principal, session };
  }

  async function requireUser(email: string): Promise<AppUserRow> {
    const row = await users.findByEmail(normalizeEmail(email));
    if (!row) throw notFound(`No user with the email "${normalizeEmail(email)}"`);
    return row;
  }

  return {
    principalOf,

    /** A local account (admin API or CLI); without a password the user can only sign in by SSO. */
    async create(
      ctx: RequestContext,
      input: { email: string; password?: string | undefined },
    ): Promise<UserRecord> {
      const email = normalizeEmail(input.email);
      if (await users.findByEmail(email)) throw conflict(`A user with the email "${email}" already exists`);
      // Hashed before the transaction opens: it takes a while, and SQLite has one writer.
      const passwordHash = input.password ? await hash(input.password) : null;
      const row = await inTransaction(db, async (trx) => {
        const created = await userRepo(trx).insert({
          email,
          password_hash: passwordHash,
          sso_subject: null,
          created_at: now().toISOString(),
        });
        await audit.on(trx).adminChange(ctx, 'user.create', { email, password: Boolean(input.password) });
        return created;
      });
      return toRecord(row, 0);
    },

    /** An anonymous context only (address and request id): this runs before anyone is signed in. */
    async signInWithPassword(anon: AnonymousContext, email: string, password: string): Promise<SignedIn> {
      const row = await users.findByEmail(normalizeEmail(email));
      const matches = await verify(row?.password_hash ?? (await dummy()), password);
      if (!row?.password_hash || !matches) throw refused();
      return startSession(anon, row, 'password', async () => row.id);
    },

    /**
     * Signs in a user the provider vouched for, creating the record at first sign-in and
     * storing the groups the provider sent this time. Anonymous context: it runs before sign-in.
     */
    async signInWithSso(anon: AnonymousContext, identity: SsoIdentity): Promise<SignedIn> {
      const email = normalizeEmail(identity.email);
      const ssoGroups = JSON.stringify([...new Set(identity.groups)].sort());
      const sso = {
        sso_subject: identity.subject,
        sso_groups_json: ssoGroups,
        sso_refresh_token: identity.sealedRefreshToken ?? null,
      };
      const row = (await users.findBySubject(identity.subject)) ?? (await users.findByEmail(email));
      if (row?.sso_subject && row.sso_subject !== identity.subject) {
        throw conflict(`The email "${email}" belongs to another single sign-on identity; ask an admin`);
      }
      const stored = { email: row?.email ?? email, sso_groups_json: ssoGroups };
      return startSession(anon, stored, 'sso', async (rows) => {
        if (row) {
          await rows.update(row.id, sso);
          return row.id;
        }
        const created = await rows.insert({
          email,
          password_hash: null,
          ...sso,
          created_at: now().toISOString(),
        });
        return created.id;
      });
    },

    /** The principal of a live session, with its CSRF token. No context: it makes the principal. */
    async authenticateSession(
      cookieValue: string,
    ): Promise<{ principal: Principal; found: SessionWithUser }> {
      const found = await sessions.resolve(cookieValue);
      return { principal: await principalOf(found.user), found };
    },

    /** Ends the caller's own browser session; a token has none (it is ended by deleting it). */
    async signOut(ctx: RequestContext, cookieValue: string): Promise<void> {
      if (ctx.principal.kind !== 'user')
        throw badRequest('Sign-out ends browser sessions; a token is ended by deleting it');
      await sessions.delete(cookieValue);
    },

    /** Every user with groups, roles and activity: admins only. */
    async list(ctx: RequestContext): Promise<UserRecord[]> {
      requireAdmin(ctx);
      const rows = await users.listWithActivity(now().toISOString());
      return Promise.all(rows.map(async (row) => toRecord(row, Number(row.active_sessions))));
    },

    /** Deletes the user and their sessions and pauses their schedules; reports keep `created_by` as text. */
    async delete(ctx: RequestContext, email: string): Promise<void> {
      const normalized = normalizeEmail(email);
      const paused = await inTransaction(db, async (trx) => {
        if (!(await userRepo(trx).deleteByEmail(normalized)))
          throw notFound(`No user with the email "${normalized}"`);
        const count = (await ownedSchedules?.pause(trx, 'user', normalized)) ?? 0;
        await audit.on(trx).adminChange(ctx, 'user.delete', { email: normalized });
        return count;
      });
      if (paused > 0) await ownedSchedules?.changed();
    },

    /**
     * Works out the user's groups now. Group lists apply on every request anyway; SSO groups are
     * asked from the provider where it issued a refresh token at the last sign-in, and otherwise
     * stay what it sent then until the next sign-in (the message says which).
     */
    async refreshGroups(ctx: RequestContext, email: string): Promise<GroupRefresh> {
      requireAdmin(ctx);
      let row = await requireUser(email);
      let message = row.sso_subject ? AT_SIGN_IN : 'Not an SSO user: groups come from group lists only';
      if (row.sso_subject && row.sso_refresh_token && deps.ssoGroups) {
        const current = await deps.ssoGroups(row.sso_subject, row.sso_refresh_token);
        const changes = current
          ? {
              sso_groups_json: JSON.stringify([...new Set(current.groups)].sort()),
              sso_refresh_token: current.sealedRefreshToken,
            }
          : { sso_refresh_token: null }; // refused: asking again would fail the same way
        await users.update(row.id, changes);
        row = { ...row, ...changes };
        message = current
          ? 'SSO groups read from the sign-in provider now'
          : `The sign-in provider refused the stored refresh token; ${AT_SIGN_IN}`;
      }
      const record = await toRecord(row, null);
      await audit.adminChange(ctx, 'user.refresh_groups', { email: row.email, groups: record.groups });
      return { record, message };
    },
  };

  async function toRecord(row: AppUserRow, activeSessions: number | null): Promise<UserRecord> {
    const principal = await principalOf(row);
    return {
      email: row.email,
      sign_in: signInMethods(row),
      groups: [...principal.groups],
      is_admin: principal.isAdmin,
      is_editor: principal.isEditor,
      last_login: row.last_login ? recordTime(row.last_login) : null,
      created: recordTime(row.created_at),
      active_sessions: activeSessions,
    };
  }
}

export type UserService = ReturnType<typeof userService>;
