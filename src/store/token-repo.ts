import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database, TokenRow, TokenTable } from './tables.ts';

export function tokenRepo(db: Kysely<Database>) {
  return {
    list(): Promise<TokenRow[]> {
      return db.selectFrom('token').selectAll().orderBy('created_at', 'desc').execute();
    },
    /** By the name exactly as stored (schedules name their owner so). */
    findByName(name: string): Promise<TokenRow | undefined> {
      return db.selectFrom('token').selectAll().where('name', '=', name).executeTakeFirst();
    },
    /**
     * Tokens whose name is `key` in lower case (the expression index of migration 0010). New
     * names are stored in lower case; older ones may differ only in case, hence a list.
     */
    findByNameKey(key: string): Promise<TokenRow[]> {
      return db.selectFrom('token').selectAll().where(sql<string>`lower(name)`, '=', key).execute();
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
