import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { StoreClient } from './db.ts';
import type { Database } from './tables.ts';

const COUNTER_SQL = 'select counter from metadata_change where id = 1';

function missing(): never {
  throw new Error('The metadata store has no change counter (migration 0012 missing)');
}

/**
 * The change counter of migration 0012, as text (PostgreSQL returns a bigint so). It is read on
 * every request, so on SQLite it is one prepared statement on the driver handle (about a third of
 * the cost through Kysely's connection provider); elsewhere one compiled query.
 */
export function metadataChangeRepo(db: Kysely<Database>, client?: StoreClient) {
  if (client?.dialect === 'sqlite') {
    // Prepared at the first read: the table exists only once the migrations ran.
    let statement: SqliteDatabase.Statement<[], unknown> | undefined;
    return {
      async counter(): Promise<string> {
        statement ??= client.database.prepare<[], unknown>(COUNTER_SQL).pluck();
        const value = statement.get();
        return value === undefined ? missing() : String(value);
      },
    };
  }
  const query = db.selectFrom('metadata_change').select('counter').where('id', '=', 1).compile();
  return {
    async counter(): Promise<string> {
      const { rows } = await db.executeQuery(query);
      return rows[0] ? String(rows[0].counter) : missing();
    },
  };
}
