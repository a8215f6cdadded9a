import type { Insertable, Kysely, Updateable } from 'kysely';
import type {
  Database,
  NewReportFieldRow,
  PanelSectionRow,
  PanelSectionTable,
  ReportFieldRow,
  ReportFieldTable,
  ReportRow,
  ReportTable,
} from './tables.ts';

export function reportRepo(db: Kysely<Database>) {
  /** Reports that are not deleted: every lookup but the soft delete itself sees only these. */
  const live = () => db.selectFrom('report').selectAll().where('deleted_at', 'is', null);
  return {
    list(): Promise<ReportRow[]> {
      return live().orderBy('name').execute();
    },
    findById(id: number): Promise<ReportRow | undefined> {
      return live().where('id', '=', id).executeTakeFirst();
    },
    findBySlug(slug: string): Promise<ReportRow | undefined> {
      return live().where('slug', '=', slug).executeTakeFirst();
    },
    findByName(name: string): Promise<ReportRow | undefined> {
      return live().where('name', '=', name).executeTakeFirst();
    },
    async insert(row: Omit<Insertable<ReportTable>, 'id'>): Promise<number> {
      const inserted = await db.insertInto('report').values(row).returning('id').executeTakeFirstOrThrow();
      return inserted.id;
    },
    /** Saves changes and bumps the revision, so every instance's cached definition goes stale. */
    async update(id: number, changes: Updateable<ReportTable>): Promise<void> {
      await db
        .updateTable('report')
        .set((eb) => ({ ...changes, revision: eb('revision', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },
    /**
     * Soft delete: the row stays (its versions and comments with it), inactive, its name and slug
     * moved aside so both can be used again; a slug never holds `~`, so the moved one cannot clash.
     */
    async markDeleted(report: Pick<ReportRow, 'id' | 'name' | 'slug'>, at: string): Promise<void> {
      await db
        .updateTable('report')
        .set((eb) => ({
          name: `${report.name} (deleted #${report.id})`,
          slug: `${report.slug}~deleted-${report.id}`,
          active: 0,
          deleted_at: at,
          revision: eb('revision', '+', 1),
        }))
        .where('id', '=', report.id)
        .execute();
    },
    /** A deleted report's schedules go with it: nobody may receive it any more. */
    async deleteSchedules(reportId: number): Promise<void> {
      await db.deleteFrom('schedule').where('report_id', '=', reportId).execute();
    },
    async groups(reportId: number): Promise<string[]> {
      const rows = await db
        .selectFrom('report_group')
        .select('group_name')
        .where('report_id', '=', reportId)
        .orderBy('group_name')
        .execute();
      return rows.map((row) => row.group_name);
    },
    async setGroups(reportId: number, groups: string[]): Promise<void> {
      await db.deleteFrom('report_group').where('report_id', '=', reportId).execute();
      if (groups.length === 0) return;
      await db
        .insertInto('report_group')
        .values(groups.map((group_name) => ({ report_id: reportId, group_name })))
        .execute();
    },
    fields(reportId: number): Promise<ReportFieldRow[]> {
      return db
        .selectFrom('report_field')
        .selectAll()
        .where('report_id', '=', reportId)
        .orderBy('field_order')
        .orderBy('id')
        .execute();
    },
    findField(fieldId: number): Promise<ReportFieldRow | undefined> {
      return db
        .selectFrom('report_field')
        .selectAll('report_field')
        .innerJoin('report', 'report.id', 'report_field.report_id')
        .where('report_field.id', '=', fieldId)
        .where('report.deleted_at', 'is', null)
        .executeTakeFirst();
    },
    async insertField(row: Omit<NewReportFieldRow, 'id'>): Promise<number> {
      const inserted = await db
        .insertInto('report_field')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async updateField(id: number, changes: Updateable<ReportFieldTable>): Promise<void> {
      await db.updateTable('report_field').set(changes).where('id', '=', id).execute();
    },
    async deleteField(id: number): Promise<void> {
      await db.deleteFrom('report_field').where('id', '=', id).execute();
    },
    sections(reportId: number): Promise<PanelSectionRow[]> {
      return db
        .selectFrom('panel_section')
        .selectAll()
        .where('report_id', '=', reportId)
        .orderBy('position')
        .execute();
    },
    async setSections(
      reportId: number,
      sections: Omit<Insertable<PanelSectionTable>, 'id'>[],
    ): Promise<void> {
      await db.deleteFrom('panel_section').where('report_id', '=', reportId).execute();
      if (sections.length === 0) return;
      await db.insertInto('panel_section').values(sections).execute();
    },
  };
}
