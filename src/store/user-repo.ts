import type { Insertable, Kysely, Updateable } from 'kysely';
import type { AppUserRow, AppUserTable, Database } from './tables.ts';

export interface UserActivityRow extends AppUserRow {
  /** Sessions that have not expired at the given time. */
  active_sessions: number | string | bigint;
}

export function userRepo(db: Kysely<Database>) {
  return {
    findByEmail(email: string): Promise<AppUserRow | undefined> {
      return db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
    },
    findBySubject(subject: string): Promise<AppUserRow | undefined> {
      return db.selectFrom('app_user').selectAll().where('sso_subject', '=', subject).executeTakeFirst();
    },
    async insert(row: Omit<Insertable<AppUserTable>, 'id'>): Promise<AppUserRow> {
      return db.insertInto('app_user').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async update(id: number, changes: Updateable<Omit<AppUserTable, 'id'>>): Promise<void> {
      await db.updateTable('app_user').set(changes).where('id', '=', id).execute();
    },
    /** Every user with the number of sessions still alive at `nowIso`. */
    listWithActivity(nowIso: string): Promise<UserActivityRow[]> {
      return db
        .selectFrom('app_user')
        .leftJoin('session', (join) =>
          join.onRef('session.user_id', '=', 'app_user.id').on('session.expires_at', '>', nowIso),
        )
        .selectAll('app_user')
        .select((eb) => eb.fn.count<number | string | bigint>('session.id').as('active_sessions'))
        .groupBy([
          'app_user.id',
          'app_user.email',
          'app_user.password_hash',
          'app_user.sso_subject',
          'app_user.sso_groups_json',
          'app_user.sso_refresh_token',
          'app_user.last_login',
          'app_user.created_at',
        ])
        .orderBy('app_user.email')
        .execute();
    },
    /** Returns whether a user with that email existed; their sessions go with them (cascade). */
    async deleteByEmail(email: string): Promise<boolean> {
      const result = await db.deleteFrom('app_user').where('email', '=', email).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type UserRepo = ReturnType<typeof userRepo>;
