import type { Insertable, Kysely } from 'kysely';
import type { AppUserRow, Database, SessionRow, SessionTable } from './tables.ts';

export interface SessionWithUser {
  session: SessionRow;
  /** The refresh token stays out: a request only needs who the user is. */
  user: Omit<AppUserRow, 'sso_refresh_token'>;
}

export function sessionRepo(db: Kysely<Database>) {
  return {
    async insert(row: Insertable<SessionTable>): Promise<void> {
      await db.insertInto('session').values(row).execute();
    },
    /** The session and its user in one query, so a cookie request costs one round trip. */
    async findWithUser(id: string): Promise<SessionWithUser | undefined> {
      const row = await db
        .selectFrom('session')
        .innerJoin('app_user', 'app_user.id', 'session.user_id')
        .select([
          'session.id as session_id',
          'session.user_id',
          'session.csrf_token',
          'session.created_at as session_created_at',
          'session.expires_at',
          'session.last_seen',
          'app_user.email',
          'app_user.password_hash',
          'app_user.sso_subject',
          'app_user.sso_groups_json',
          'app_user.last_login',
          'app_user.created_at as user_created_at',
        ])
        .where('session.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        session: {
          id: row.session_id,
          user_id: row.user_id,
          csrf_token: row.csrf_token,
          created_at: row.session_created_at,
          expires_at: row.expires_at,
          last_seen: row.last_seen,
        },
        user: {
          id: row.user_id,
          email: row.email,
          password_hash: row.password_hash,
          sso_subject: row.sso_subject,
          sso_groups_json: row.sso_groups_json,
          last_login: row.last_login,
          created_at: row.user_created_at,
        },
      };
    },
    async touch(id: string, lastSeen: string, expiresAt: string): Promise<void> {
      await db
        .updateTable('session')
        .set({ last_seen: lastSeen, expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
    },
    async deleteById(id: string): Promise<void> {
      await db.deleteFrom('session').where('id', '=', id).execute();
    },
    async deleteForUser(userId: number): Promise<number> {
      const result = await db.deleteFrom('session').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(nowIso: string): Promise<number> {
      const result = await db.deleteFrom('session').where('expires_at', '<=', nowIso).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionRepo = ReturnType<typeof sessionRepo>;
