/**
 * Opens the metadata store: SQLite (a file, the default) or PostgreSQL, behind one Kysely type,
 * and applies the migration set.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type LogEvent, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.ts';
import { migrationProvider, type StoreDialect } from './migrations/migration-set.ts';
import type { Database } from './tables.ts';

/** The driver handle under Kysely, for a library that brings its own SQL (shared attempt limits). */
export type StoreClient =
  | { dialect: 'sqlite'; database: SqliteDatabase.Database }
  | { dialect: 'postgres'; pool: pg.Pool };

export interface MetadataStore {
  db: Kysely<Database>;
  dialect: StoreDialect;
  client: StoreClient;
  close(): Promise<void>;
}

const STATEMENT_CACHE_SIZE = 200;

/**
 * Kysely prepares every query anew, and preparing is most of the cost of a metadata lookup on
 * SQLite; the store's queries are a small fixed set, so their prepared statements are reused.
 */
function withStatementCache(database: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

export interface StoreOptions {
  /** Called after every store query with its time and whether it failed (metrics). */
  onQuery?: (event: LogEvent) => void;
}

/** `sqlite:<file>` (`sqlite::memory:` for a private in-memory store) or `postgres://…`. */
export function openMetadataStore(databaseUrl: string, options: StoreOptions = {}): MetadataStore {
  const log = options.onQuery;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
      log,
    });
    return { db, dialect: 'sqlite', client: { dialect: 'sqlite', database }, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  return { db, dialect: 'postgres', client: { dialect: 'postgres', pool }, close: () => db.destroy() };
}

/** Applies every pending migration; throws naming the migration that failed. */
export async function migrateToLatest(store: MetadataStore): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new AppError('internal', `Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).map((result) => result.migrationName);
}
