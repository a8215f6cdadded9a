import type { Kysely } from 'kysely';

/** A counter bumped on every save, so instances can cache a report's definition and notice changes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('report')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
