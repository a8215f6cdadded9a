/**
 * Opens the metadata store: SQLite (a file, the default) or PostgreSQL, behind one Kysely type,
 * and applies the migration set.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type LogEvent, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { lazyRequire } from '../lazy-require.ts';
import { migrationProvider, type StoreDialect } from './migrations/migration-set.ts';
import { connectionFault, guardedDialect } from './store-faults.ts';
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

/** pg (about 40 files) is loaded only for a PostgreSQL store; a SQLite store never needs it. */
const loadPg = lazyRequire<typeof pg>('pg');

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

/** The slice of a pino logger the store writes to. */
export interface StoreLog {
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface StoreOptions {
  /** Bound on opening one PostgreSQL connection; a hanging server fails after this. */
  connectTimeoutMs?: number;
  log?: StoreLog;
  /** Called after every store query with its time and whether it failed (metrics). */
  onQuery?: (event: LogEvent) => void;
}

const quiet: StoreLog = { warn() {}, debug() {} };

/** The store's address for logs: scheme, host, port and database, never the user or password. */
export function storeAddress(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    return `${url.protocol}//${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'postgres://(unparsable DATABASE_URL)';
  }
}

/**
 * A pool that survives the server going away: pg drops idle clients whose socket dies and opens
 * new ones on demand, so the store recovers by itself once PostgreSQL is back.
 */
function postgresPool(databaseUrl: string, { connectTimeoutMs = 5000, log = quiet }: StoreOptions) {
  const pool = new (loadPg().Pool)({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Detects peers that vanished without a FIN (a rebooted host, a proxy that dropped state).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // Without a listener, an idle client's socket error is an unhandled 'error' event: a crash.
  pool.on('error', (error) => {
    log.warn({ reason: connectionFault(error) ?? error.message }, 'metadata store connection lost');
  });
  // A checked-out client has no pool listener; its pending query fails instead, and pg-pool
  // discards the client on release. This listener only keeps the event from being fatal.
  pool.on('connect', (client) => {
    client.on('error', (error) => log.debug({ reason: error.message }, 'metadata store client error'));
  });
  return pool;
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
  const pool = postgresPool(databaseUrl, options);
  const db = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool })), log });
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

export interface StartOptions {
  attempts: number;
  log: StoreLog;
  /** First pause between attempts; it doubles up to 10 s. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the store at start-up: a database that starts after the app (compose, a reboot) is
 * not an error, but one that never answers stops the start after `attempts` bounded tries.
 */
export async function waitForStore(store: MetadataStore, databaseUrl: string, options: StartOptions) {
  const address = storeAddress(databaseUrl);
  let delay = options.retryDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(store.db);
      return;
    } catch (error) {
      const reason = connectionFault(error);
      if (reason === null) throw error;
      if (attempt >= options.attempts) {
        throw new AppError(
          'unavailable',
          `metadata store at ${address} unreachable (${reason}) after ${attempt} attempts; giving up`,
          { cause: error },
        );
      }
      const seconds = Math.round(delay / 100) / 10;
      options.log.warn(
        { reason, attempt },
        `metadata store at ${address} unreachable (${reason}); retrying in ${seconds} s (attempt ${attempt} of ${options.attempts})`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
