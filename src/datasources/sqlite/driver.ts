/**
 * SQLite driver (better-sqlite3, synchronous, in the server's own thread).
 *
 * - single statement: `prepare` refuses SQL holding more than one;
 * - read-only: the file is opened `readonly` and `fileMustExist`, and statements that do not
 *   return rows (`stmt.reader === false`) are refused before they run;
 * - streaming: `stmt.iterate()` in raw mode, `batchSize` rows at a time, yielding to the event
 *   loop (setImmediate) between batches so timers, aborts and HTTP disconnects are observed;
 * - timeout and cancel: checked between rows. LIMITATION: one long single step (a big sort or
 *   aggregate before the first row) blocks the thread and cannot be interrupted; better-sqlite3
 *   exposes no interrupt, and a worker thread per run is not worth it for this driver.
 *
 * A "connection pool" here is `poolSize` open handles: one handle cannot run a second statement
 * while an iterator is open on it, so concurrent streaming runs each need their own.
 */
import Database from 'better-sqlite3';
import { AppError } from '../../errors.ts';
import type {
  BindValue,
  Column,
  DataSource,
  DriverModule,
  JsonValue,
  OpenOptions,
  PoolStats,
  RowBatch,
  RunRequest,
} from '../driver.ts';
import { poolBusyError, poolTimeouts } from '../pool-settings.ts';
import { RunControl, unreachableError } from '../run-control.ts';
import { type SqliteConfig, sqliteConfigSchema, sqliteFields } from './config.ts';
import { columnType, mapperFor } from './types.ts';

const DEFAULT_BATCH = 1000;
/** Prepared statements kept per handle; a report's SQL text repeats, and preparing dominates small runs. */
const STATEMENTS_PER_HANDLE = 100;
const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A handle serves one run at a time, so its cached statements are never iterated twice at once. */
function prepareCached(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (cache.size >= STATEMENTS_PER_HANDLE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, stmt);
  }
  return stmt;
}
/** How long a reader busy-waits on a writer's lock. Short: the wait blocks the whole process. */
const BUSY_TIMEOUT_MS = 1000;

export const sqliteDriver: DriverModule<SqliteConfig> = {
  name: 'sqlite',
  dialect: 'sqlite',
  configSchema: sqliteConfigSchema,
  fields: sqliteFields,
  open(config: SqliteConfig, options: OpenOptions): DataSource {
    const pool = new HandlePool(
      config.file,
      Math.max(1, options.poolSize),
      poolTimeouts(options).poolWaitMs,
      options.name,
    );
    return {
      driver: 'sqlite',
      async test() {
        const db = await pool.acquire(new RunControl(options.statementTimeoutMs));
        try {
          db.prepare('SELECT 1').get();
        } catch (error) {
          throw mapError(error, undefined);
        } finally {
          pool.release(db);
        }
      },
      // The file is opened read-only and SQLite has no users or file functions: nothing to ask.
      privileges: async () => [],
      run: (request) => runStatement(pool, request),
      poolStats: () => pool.stats(),
      async close() {
        pool.close();
      },
    };
  },
};

/** `poolSize` read-only handles, opened on demand; callers beyond that wait their turn, bounded. */
class HandlePool {
  #idle: Database.Database[] = [];
  #waiting: Array<(db: Database.Database) => void> = [];
  #opened = 0;
  #closed = false;
  #busyRefusals = 0;

  constructor(
    private readonly file: string,
    private readonly size: number,
    private readonly waitMs: number,
    private readonly name: string | undefined,
  ) {}

  async acquire(control: RunControl): Promise<Database.Database> {
    if (this.#closed) throw unreachableError('the data source is closed');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#opened < this.size) return this.#open();
    let timer: NodeJS.Timeout | undefined;
    let wake: ((db: Database.Database) => void) | undefined;
    const turn = new Promise<Database.Database>((resolve, reject) => {
      wake = resolve;
      this.#waiting.push(resolve);
      timer = setTimeout(() => {
        // Leaves the queue, so no handle is ever handed to this request.
        this.#waiting = this.#waiting.filter((waiter) => waiter !== wake);
        this.#busyRefusals++;
        reject(poolBusyError(this.name));
      }, this.waitMs);
    });
    try {
      return await control.race(turn);
    } catch (error) {
      turn.then((db) => this.release(db)).catch(() => {}); // stopped while waiting: pass the handle on
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): PoolStats {
    const inUse = this.#opened - this.#idle.length;
    return {
      inUse,
      idle: this.#idle.length,
      waiting: this.#waiting.length,
      busyRefusals: this.#busyRefusals,
    };
  }

  release(db: Database.Database): void {
    if (this.#closed) {
      db.close();
      return;
    }
    const next = this.#waiting.shift();
    if (next) next(db);
    else this.#idle.push(db);
  }

  close(): void {
    this.#closed = true;
    for (const db of this.#idle.splice(0)) db.close();
  }

  #open(): Database.Database {
    try {
      const db = new Database(this.file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      this.#opened++;
      return db;
    } catch (error) {
      throw unreachableError('cannot open the database file', error);
    }
  }
}

async function* runStatement(pool: HandlePool, request: RunRequest): AsyncGenerator<RowBatch> {
  const control = new RunControl(request.timeoutMs, request.signal);
  let db: Database.Database;
  try {
    db = await pool.acquire(control);
  } catch (error) {
    control.dispose();
    throw error;
  }
  let rows: IterableIterator<unknown[]> | undefined;
  try {
    control.startClock();
    const stmt = prepareCached(db, request.sql);
    if (!stmt.reader) {
      throw new AppError(
        'bad_request',
        'Only statements that return rows can run: the connection is read-only',
      );
    }
    const described = stmt.columns();
    const columns = described.map((c) => ({ name: c.name, type: columnType(c.type) }));
    const maps = described.map((c) => mapperFor(c.type));
    rows = stmt
      .raw(true)
      .safeIntegers(true)
      .iterate(...request.values.map(toSqlite)) as IterableIterator<unknown[]>;
    yield* batches(rows, columns, maps, request, control);
  } catch (error) {
    throw mapError(error, control);
  } finally {
    control.dispose();
    rows?.return?.(); // finalises the statement so the handle is free again
    pool.release(db);
  }
}

async function* batches(
  rows: IterableIterator<unknown[]>,
  columns: Column[],
  maps: Array<(value: unknown) => JsonValue>,
  request: RunRequest,
  control: RunControl,
): AsyncGenerator<RowBatch> {
  const size = Math.max(1, request.batchSize ?? DEFAULT_BATCH);
  let remaining = request.maxRows ?? Number.POSITIVE_INFINITY;
  for (let first = true; ; first = false) {
    const batch: JsonValue[][] = [];
    let done = false;
    while (batch.length < Math.min(size, remaining)) {
      control.check(); // the deadline and an abort, between rows: the only points SQLite can stop
      const next = rows.next();
      if (next.done) {
        done = true;
        break;
      }
      // Raw mode hands over a fresh array per row: mapped in place, not copied.
      const row = next.value as JsonValue[];
      for (let i = 0; i < row.length; i++) row[i] = maps[i]!(row[i]);
      batch.push(row);
    }
    remaining -= batch.length;
    // The first batch is always yielded, even empty, so the columns of an empty result are known.
    if (first || batch.length > 0) yield { columns, rows: batch };
    if (done || remaining <= 0) return;
    await new Promise((resolve) => setImmediate(resolve)); // let timers, aborts and sockets run
  }
}

/** better-sqlite3 binds numbers, bigints, strings, buffers and null only. */
function toSqlite(value: BindValue): number | bigint | string | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  // Dates as UTC text in the shape SQLite's date functions read and compare.
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  return value;
}

const UNREACHABLE_CODES = new Set([
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

function mapError(error: unknown, control: RunControl | undefined): Error {
  if (control?.error) return control.error;
  if (error instanceof AppError) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (code && UNREACHABLE_CODES.has(code)) return unreachableError(message ?? code, error);
  // SqliteError (SQL the database rejects), RangeError/TypeError (statement count, bindings).
  if (code?.startsWith('SQLITE_') || error instanceof RangeError || error instanceof TypeError) {
    return new AppError('bad_request', message ?? 'SQL error', { cause: error });
  }
  return new AppError('internal', 'The SQLite driver failed unexpectedly', { cause: error });
}
