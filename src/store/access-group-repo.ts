import type { Kysely } from 'kysely';
import { nowIso } from './clock.ts';
import type { AccessGroupRow, Database } from './tables.ts';

export function accessGroupRepo(db: Kysely<Database>) {
  return {
    list(): Promise<AccessGroupRow[]> {
      return db.selectFrom('access_group').selectAll().orderBy('table_name').orderBy('group_name').execute();
    },
    findById(id: number): Promise<AccessGroupRow | undefined> {
      return db.selectFrom('access_group').selectAll().where('id', '=', id).executeTakeFirst();
    },
    find(tableName: string, groupName: string): Promise<AccessGroupRow | undefined> {
      return db
        .selectFrom('access_group')
        .selectAll()
        .where('table_name', '=', tableName)
        .where('group_name', '=', groupName)
        .executeTakeFirst();
    },
    async insert(row: { table_name: string; group_name: string; where_sql: string }): Promise<number> {
      const inserted = await db
        .insertInto('access_group')
        .values({ ...row, created_at: nowIso() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async updateWhere(id: number, whereSql: string): Promise<void> {
      await db.updateTable('access_group').set({ where_sql: whereSql }).where('id', '=', id).execute();
    },
    /** Returns whether the entry existed. */
    async delete(id: number): Promise<boolean> {
      const result = await db.deleteFrom('access_group').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type AccessGroupRepo = ReturnType<typeof accessGroupRepo>;
