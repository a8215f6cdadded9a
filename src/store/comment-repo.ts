import type { Insertable, Kysely } from 'kysely';
import type { Database, ReportCommentRow, ReportCommentTable } from './tables.ts';

export function commentRepo(db: Kysely<Database>) {
  return {
    /** Comments not deleted, oldest first. */
    list(reportId: number): Promise<ReportCommentRow[]> {
      return db
        .selectFrom('report_comment')
        .selectAll()
        .where('report_id', '=', reportId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    find(id: number): Promise<ReportCommentRow | undefined> {
      return db
        .selectFrom('report_comment')
        .selectAll()
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },
    async insert(row: Omit<Insertable<ReportCommentTable>, 'id'>): Promise<number> {
      const inserted = await db
        .insertInto('report_comment')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async updateBody(id: number, body: string, at: string): Promise<void> {
      await db.updateTable('report_comment').set({ body, updated_at: at }).where('id', '=', id).execute();
    },
    async softDelete(id: number, at: string): Promise<void> {
      await db.updateTable('report_comment').set({ deleted_at: at }).where('id', '=', id).execute();
    },
  };
}
