import { type Kysely, sql } from 'kysely';

/**
 * Token names are compared in lower case. New names are stored in lower case; names stored
 * before keep their case (schedules and audit records refer to them as written), so lookups go
 * through `lower(name)`, indexed here. Not unique: two old names may differ only in case, and a
 * migration must not fail on them; creating a new token refuses a name any old one matches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('token_name_key_idx').on('token').expression(sql`lower(name)`).execute();
}
