import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, ScheduleRow, ScheduleRunRow, ScheduleRunTable, ScheduleTable } from './tables.ts';

export type ScheduleWithReport = ScheduleRow & { report_slug: string };

export function scheduleRepo(db: Kysely<Database>) {
  const withReport = () =>
    db
      .selectFrom('schedule')
      .innerJoin('report', 'report.id', 'schedule.report_id')
      .selectAll('schedule')
      .select('report.slug as report_slug');
  return {
    /** Every schedule, or those of one owner, with their report's slug. */
    list(owner?: { kind: string; name: string }): Promise<ScheduleWithReport[]> {
      let query = withReport().orderBy('schedule.id');
      if (owner) {
        query = query
          .where('schedule.owner_email', '=', owner.name)
          .where('schedule.owner_kind', '=', owner.kind);
      }
      return query.execute();
    },
    findWithReport(id: number): Promise<ScheduleWithReport | undefined> {
      return withReport().where('schedule.id', '=', id).executeTakeFirst();
    },
    listActive(): Promise<ScheduleRow[]> {
      return db.selectFrom('schedule').selectAll().where('active', '=', 1).orderBy('id').execute();
    },
    find(id: number): Promise<ScheduleRow | undefined> {
      return db.selectFrom('schedule').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insert(row: Insertable<ScheduleTable>): Promise<ScheduleRow> {
      return db.insertInto('schedule').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async update(id: number, changes: Updateable<ScheduleTable>): Promise<void> {
      await db.updateTable('schedule').set(changes).where('id', '=', id).execute();
    },
    /** Sets `deliveries_json` only if it still is `expected`; returns whether it did. */
    async replaceDeliveries(id: number, expected: string, next: string): Promise<boolean> {
      const result = await db
        .updateTable('schedule')
        .set({ deliveries_json: next })
        .where('id', '=', id)
        .where('deliveries_json', '=', expected)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    /** Switches off every active schedule of one owner with a reason; returns how many. */
    async pauseOwnedBy(
      owner: { kind: string; name: string },
      changes: { paused_reason: string; updated_at: string },
    ): Promise<number> {
      const result = await db
        .updateTable('schedule')
        .set({ ...changes, active: 0, next_run_at: null })
        .where('owner_kind', '=', owner.kind)
        .where('owner_email', '=', owner.name)
        .where('active', '=', 1)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async delete(id: number): Promise<boolean> {
      const result = await db.deleteFrom('schedule').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /**
     * Claims a tick: inserts its run row unless one exists. Returns undefined when another
     * instance (or an earlier delivery of the same job) already claimed it.
     */
    claimTick(row: Insertable<ScheduleRunTable>): Promise<{ id: number } | undefined> {
      return db
        .insertInto('schedule_run')
        .values(row)
        .onConflict((conflict) => conflict.columns(['schedule_id', 'tick_at']).doNothing())
        .returning('id')
        .executeTakeFirst();
    },
    async finishRun(id: number, changes: Updateable<ScheduleRunTable>): Promise<void> {
      await db.updateTable('schedule_run').set(changes).where('id', '=', id).execute();
    },
    runs(scheduleId: number, limit = 100): Promise<ScheduleRunRow[]> {
      return db
        .selectFrom('schedule_run')
        .selectAll()
        .where('schedule_id', '=', scheduleId)
        .orderBy('tick_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
    findRun(id: number): Promise<ScheduleRunRow | undefined> {
      return db.selectFrom('schedule_run').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}

export type ScheduleRepo = ReturnType<typeof scheduleRepo>;
