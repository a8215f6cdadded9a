import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './migration-set.ts';

/**
 * The tables an instance keeps in memory (store/metadata-change-repo.ts): a write to any of them
 * is what makes a cached token, report definition or cluster member stale.
 */
export const CACHED_TABLES = [
  'token',
  'report',
  'report_group',
  'report_field',
  'panel_section',
  'cluster',
  'cluster_member',
  'connection',
  'access_group',
] as const;

/**
 * One counter, bumped by a trigger in the transaction of every write to a cached table. Each
 * instance reads it before using what it cached, so a token deleted or a report edited through
 * any instance is honoured by the next request on every instance. A trigger rather than a call
 * in each repository: a write path that forgot the call would silently keep a revoked token
 * valid, and the database cannot forget a trigger.
 */
export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('metadata_change')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into metadata_change (id, counter) values (1, 0)`.execute(db);
  if (dialect === 'postgres') {
    await sql`
      create function bump_metadata_change() returns trigger language plpgsql as $$
      begin
        update metadata_change set counter = counter + 1 where id = 1;
        return null;
      end $$`.execute(db);
    for (const table of CACHED_TABLES) {
      await sql`
        create trigger ${sql.id(`${table}_bumps_metadata_change`)}
        after insert or update or delete or truncate on ${sql.table(table)}
        for each statement execute function bump_metadata_change()`.execute(db);
    }
    return;
  }
  for (const table of CACHED_TABLES) {
    for (const event of ['insert', 'update', 'delete'] as const) {
      await sql`
        create trigger ${sql.id(`${table}_${event}_bumps_metadata_change`)}
        after ${sql.raw(event)} on ${sql.table(table)}
        begin update metadata_change set counter = counter + 1 where id = 1; end`.execute(db);
    }
  }
}
