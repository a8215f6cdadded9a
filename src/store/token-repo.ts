import type { Insertable, Kysely } from 'kysely';
import type { Database, TokenRow, TokenTable } from './tables.ts';

export function tokenRepo(db: Kysely<Database>) {
  return {
    list(): Promise<TokenRow[]> {
      return db.selectFrom('token').selectAll().orderBy('created_at', 'desc').execute();
    },
    findByName(name: string): Promise<TokenRow | undefined> {
      return db.selectFrom('token').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async insert(row: Omit<Insertable<TokenTable>, 'id'>): Promise<void> {
      await db.insertInto('token').values(row).execute();
    },
    /** Returns whether a token of that name existed. */
    async deleteByName(name: string): Promise<boolean> {
      const result = await db.deleteFrom('token').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
