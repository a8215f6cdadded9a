import type { Insertable, Kysely, Updateable } from 'kysely';
import { nowIso } from './clock.ts';
import type { ConnectionRow, ConnectionTable, Database } from './tables.ts';

export type NewConnection = Omit<Insertable<ConnectionTable>, 'id' | 'created_at' | 'updated_at'>;

export function connectionRepo(db: Kysely<Database>) {
  return {
    list(): Promise<ConnectionRow[]> {
      return db.selectFrom('connection').selectAll().orderBy('name').execute();
    },
    findById(id: number): Promise<ConnectionRow | undefined> {
      return db.selectFrom('connection').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findByName(name: string): Promise<ConnectionRow | undefined> {
      return db.selectFrom('connection').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async insert(row: NewConnection): Promise<number> {
      const now = nowIso();
      const inserted = await db
        .insertInto('connection')
        .values({ ...row, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async update(id: number, changes: Updateable<ConnectionTable>): Promise<void> {
      await db
        .updateTable('connection')
        .set({ ...changes, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
    },
    /** Records a probe's result without touching `updated_at`, so open pools stay open. */
    async recordPrivilegeCheck(id: number, json: string): Promise<void> {
      await db.updateTable('connection').set({ privilege_check_json: json }).where('id', '=', id).execute();
    },
    async delete(id: number): Promise<void> {
      await db.deleteFrom('connection').where('id', '=', id).execute();
    },
  };
}
