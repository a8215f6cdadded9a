import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-set.ts';

/**
 * Schedules and their run history. `schedule_run` is unique on (schedule_id, tick_at): whichever
 * instance inserts the row for a tick first runs it, so a tick runs once even if the job engine
 * hands it out twice. Times are ISO-8601 text like everywhere else.
 */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('schedule')
    .addColumn('id', id.type, id.build)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('owner_kind', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('owner_email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('deliveries_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('paused_reason', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('next_run_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedule_owner_idx').on('schedule').column('owner_email').execute();
  await db.schema
    .createTable('schedule_run')
    .addColumn('id', id.type, id.build)
    .addColumn('schedule_id', 'integer', (c) => c.notNull().references('schedule.id').onDelete('cascade'))
    .addColumn('tick_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer')
    .addColumn('error', 'text')
    .addColumn('deliveries_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addUniqueConstraint('schedule_run_tick_unique', ['schedule_id', 'tick_at'])
    .execute();
}
