import type { Kysely } from 'kysely';

/**
 * Failed-attempt counters shared by every instance (token and sign-in failures). The columns are
 * the ones rate-limiter-flexible's SQL stores read and write (`key`, `points`, `expire` in epoch
 * milliseconds); the table is created here rather than by the library so both dialects get it
 * from the one migration set, before any request, and no instance races another to create it.
 * `key` is text, not the library's varchar(255): a prefixed e-mail address may be longer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}
