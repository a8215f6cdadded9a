import type { Insertable, Kysely } from 'kysely';
import type { Database, ReportVersionRow, ReportVersionTable, VersionState } from './tables.ts';

/** A version waiting for review or promotion, with its report's name for the updates list. */
export type AwaitingVersionRow = ReportVersionRow & {
  report_name: string;
  report_slug: string;
  admin_only: number;
};

/** Versions are inserted once; afterwards only their state and reviewer change. */
export function reportVersionRepo(db: Kysely<Database>) {
  return {
    list(reportId: number): Promise<ReportVersionRow[]> {
      return db
        .selectFrom('report_version')
        .selectAll()
        .where('report_id', '=', reportId)
        .orderBy('number', 'desc')
        .execute();
    },
    find(reportId: number, number: number): Promise<ReportVersionRow | undefined> {
      return db
        .selectFrom('report_version')
        .selectAll()
        .where('report_id', '=', reportId)
        .where('number', '=', number)
        .executeTakeFirst();
    },
    latest(reportId: number): Promise<ReportVersionRow | undefined> {
      return db
        .selectFrom('report_version')
        .selectAll()
        .where('report_id', '=', reportId)
        .orderBy('number', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    live(reportId: number): Promise<ReportVersionRow | undefined> {
      return db
        .selectFrom('report_version')
        .selectAll()
        .where('report_id', '=', reportId)
        .where('state', '=', 'live')
        .executeTakeFirst();
    },
    async insert(row: Omit<Insertable<ReportVersionTable>, 'id'>): Promise<number> {
      const inserted = await db
        .insertInto('report_version')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async setState(
      id: number,
      change: { state: VersionState; reviewed_by?: string; reviewed_at?: string },
    ): Promise<void> {
      await db.updateTable('report_version').set(change).where('id', '=', id).execute();
    },
    async supersedeLive(reportId: number): Promise<void> {
      await db
        .updateTable('report_version')
        .set({ state: 'superseded' })
        .where('report_id', '=', reportId)
        .where('state', '=', 'live')
        .execute();
    },
    awaiting(): Promise<AwaitingVersionRow[]> {
      return db
        .selectFrom('report_version')
        .innerJoin('report', 'report.id', 'report_version.report_id')
        .selectAll('report_version')
        .select(['report.name as report_name', 'report.slug as report_slug', 'report.admin_only'])
        .where('report_version.state', 'in', ['in_review', 'approved'])
        .where('report.deleted_at', 'is', null)
        .orderBy('report_version.created_at')
        .orderBy('report_version.id')
        .execute();
    },
  };
}
