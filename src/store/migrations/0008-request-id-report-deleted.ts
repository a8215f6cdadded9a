import type { Kysely } from 'kysely';

/**
 * Audit records keep the request id, so a record can be found in the request logs and tied to the
 * answer's `X-Request-Id`. Reports are soft-deleted: a deleted report keeps its row, so its versions, comments and the
 * audit records naming it stay; `deleted_at` hides it everywhere else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit').addColumn('request_id', 'text').execute();
  await db.schema.alterTable('report').addColumn('deleted_at', 'text').execute();
}
