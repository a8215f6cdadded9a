/**
 * Metadata transactions, opened by the service that makes a change (STYLE: "Transactions belong to
 * services"). Repositories are bound to the handle they run on; a service binds them to the
 * transaction it opens, so every row of one change, its audit record included, commits or rolls
 * back together.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

/** A Kysely handle on the metadata store: the store itself or one of its transactions. */
export type StoreHandle = Kysely<Database>;

/** Options of a service change that can be one step of a larger change. */
export interface ChangeOptions {
  /**
   * The transaction of the larger change (a bundle import) this one is part of: it runs there,
   * reads included, instead of in a transaction of its own.
   */
  within?: StoreHandle | undefined;
}

/**
 * Runs `work` in one transaction on `db`; a handle that already is a transaction is used as it
 * is, so the work commits or rolls back with the change around it. `work` must use `trx` only:
 * SQLite runs every query on its one connection, so a query on the store itself would wait for
 * the very transaction it was issued from; on PostgreSQL it would not see the changes so far.
 */
export function inTransaction<T>(db: StoreHandle, work: (trx: StoreHandle) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute((trx) => work(trx));
}
