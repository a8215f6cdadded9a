/**
 * The two kinds of metadata store a suite runs on: SQLite (always) and PostgreSQL (a database of
 * the suite's own, when the server answers). `env()` gives the app's settings, `drop()` removes
 * what `env()` created.
 */
import { createPostgresDatabase, postgresReachable } from './postgres-database.ts';

export interface StoreVariant {
  name: 'SQLite' | 'PostgreSQL';
  skip: boolean;
  env(): Promise<Record<string, string>>;
  drop(): Promise<void>;
}

export async function metadataStores(postgresDatabase: string): Promise<StoreVariant[]> {
  const reachable = await postgresReachable();
  let drop = async () => {};
  return [
    { name: 'SQLite', skip: false, env: async () => ({}), drop: async () => {} },
    {
      name: 'PostgreSQL',
      skip: !reachable,
      drop: () => drop(),
      async env() {
        const database = await createPostgresDatabase(postgresDatabase);
        drop = database.drop;
        return { DATABASE_URL: database.url };
      },
    },
  ];
}
