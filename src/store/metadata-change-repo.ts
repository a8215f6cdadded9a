import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

export function metadataChangeRepo(db: Kysely<Database>) {
  // Read once per request: compiled once, so the read costs the driver call only.
  const query = db.selectFrom('metadata_change').select('counter').where('id', '=', 1).compile();
  return {
    /** The change counter of migration 0012, as text (PostgreSQL returns a bigint so). */
    async counter(): Promise<string> {
      const { rows } = await db.executeQuery(query);
      const row = rows[0];
      if (!row) throw new Error('The metadata store has no change counter (migration 0012 missing)');
      return String(row.counter);
    },
  };
}
