import type { Kysely } from 'kysely';
import type { Database, NewAuditRow } from './tables.ts';

export function auditRepo(db: Kysely<Database>) {
  return {
    async insert(row: Omit<NewAuditRow, 'id'>): Promise<void> {
      await db.insertInto('audit').values(row).execute();
    },
    list(limit: number) {
      return db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
    async deleteOlderThan(iso: string): Promise<number> {
      const result = await db.deleteFrom('audit').where('at', '<', iso).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
