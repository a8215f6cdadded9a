import type { Kysely } from 'kysely';

/**
 * What the last privilege probe of a connection found (JSON: when, the findings, or why it could
 * not ask), so admins see a privileged database user in the connection list. Null: never probed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connection').addColumn('privilege_check_json', 'text').execute();
}
