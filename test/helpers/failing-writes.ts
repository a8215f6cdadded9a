/**
 * Makes the metadata store itself refuse a write, so a test can fail the later step of a change
 * (the version after the report row, the audit record after the change) with no code replaced:
 * a real trigger on the real SQLite or PostgreSQL store.
 */
import { sql } from 'kysely';
import type { MetadataStore } from '../../src/store/db.ts';

export const INJECTED_FAILURE = 'injected write failure';

/**
 * From now on, inserts into `table` (those matching `when`, a condition on `NEW`) fail. Returns
 * the function that lifts the failure again.
 */
export async function failInserts(
  store: MetadataStore,
  table: string,
  when = 'true',
): Promise<() => Promise<void>> {
  const name = `fail_${table}_${Math.random().toString(36).slice(2, 8)}`;
  if (store.dialect === 'sqlite') {
    await sql
      .raw(
        `create trigger ${name} before insert on ${table} when ${when === 'true' ? '1' : when} ` +
          `begin select raise(abort, '${INJECTED_FAILURE}'); end`,
      )
      .execute(store.db);
    return async () => void (await sql.raw(`drop trigger ${name}`).execute(store.db));
  }
  await sql
    .raw(
      `create function ${name}() returns trigger language plpgsql as ` +
        `$$ begin raise exception '${INJECTED_FAILURE}'; end $$`,
    )
    .execute(store.db);
  await sql
    .raw(
      `create trigger ${name} before insert on ${table} for each row when (${when}) ` +
        `execute function ${name}()`,
    )
    .execute(store.db);
  return async () => {
    await sql.raw(`drop trigger ${name} on ${table}`).execute(store.db);
    await sql.raw(`drop function ${name}()`).execute(store.db);
  };
}
