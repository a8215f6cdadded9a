/**
 * MySQL / MariaDB driver: a mysql2 pool; each run is one server-side prepared statement
 * (`execute`, so values are bound by the server, never spliced into the SQL text by the client).
 *
 * - single statement: `multipleStatements: false`, and a prepared statement holds one statement;
 * - read-only: `START TRANSACTION READ ONLY` … `ROLLBACK`;
 * - timeout: session `max_statement_time` (MariaDB, seconds) or `max_execution_time` (MySQL, ms),
 *   set only when it differs from the connection's current value, plus the client-side deadline;
 * - streaming: rows are taken off the socket as they arrive; the socket is paused while a batch
 *   waits for the consumer, so TCP backpressure holds the server;
 * - cancel and early stop: `KILL QUERY <thread id>` from a separate control connection, as the
 *   protocol has no in-band cancel and the pool may be full.
 */
import mysql from 'mysql2';
import { AppError } from '../../errors.ts';
import type { Column, DataSource, DriverModule, JsonValue, OpenOptions, RowBatch, RunRequest } from '../driver.ts';
import { CLEANUP_GRACE_MS, RunControl, settleWithin, timeoutError, unreachableError } from '../run-control.ts';
import { type MysqlConfig, mysqlConfigSchema, mysqlFields, toConnectionOptions, toPoolOptions } from './config.ts';
import { columnOf, type MysqlField } from './types.ts';

const DEFAULT_BATCH = 1000;
const ER_QUERY_INTERRUPTED = 1317;

/** The slice of a mysql2 (callback API) pooled connection this driver uses. */
interface MysqlConnection {
  threadId: number;
  query(options: { sql: string; rowsAsArray: boolean }, callback: (error: Error | null, rows: unknown) => void): void;
  execute(options: { sql: string; rowsAsArray: boolean }, values: unknown[]): CommandEvents;
  pause(): void;
  resume(): void;
  release(): void;
  destroy(): void;
}

/** The events of a running mysql2 command. */
interface CommandEvents {
  on(event: 'fields', listener: (fields: MysqlField[]) => void): this;
  on(event: 'result', listener: (row: unknown, index?: number) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export const mysqlDriver: DriverModule<MysqlConfig> = {
  name: 'mysql',
  dialect: 'mysql',
  configSchema: mysqlConfigSchema,
  fields: mysqlFields,
  open(config: MysqlConfig, options: OpenOptions): DataSource {
    const pool = mysql.createPool(toPoolOptions(config, options.poolSize));
    const killer = createKiller(toConnectionOptions(config));
    const session = new SessionSettings();
    return {
      driver: 'mysql',
      async test() {
        const conn = await acquire(pool, new RunControl(options.statementTimeoutMs));
        try {
          await simpleQuery(conn, 'SELECT 1');
          conn.release();
        } catch (error) {
          conn.destroy();
          throw mapError(error, undefined);
        }
      },
      run: (request) => runStatement(pool, killer, session, request),
      async close() {
        await killer.close();
        await new Promise<void>((resolve) => pool.end(() => resolve()));
      },
    };
  },
};

/** Server flavour (detected once per pool) and the timeout each pooled connection already has. */
class SessionSettings {
  #flavour: Promise<'mariadb' | 'mysql'> | undefined;
  #timeouts = new WeakMap<MysqlConnection, number>();

  /** Sets the server-side statement timeout on this connection unless it is already in place. */
  async applyTimeout(conn: MysqlConnection, timeoutMs: number): Promise<void> {
    const ms = Math.max(1, Math.ceil(timeoutMs));
    if (this.#timeouts.get(conn) === ms) return;
    this.#flavour ??= simpleQuery(conn, 'SELECT VERSION()').then((rows) =>
      /mariadb/i.test(String(rows[0]?.[0])) ? 'mariadb' : 'mysql',
    );
    this.#flavour.catch(() => {
      this.#flavour = undefined;
    });
    const flavour = await this.#flavour;
    await simpleQuery(
      conn,
      flavour === 'mariadb'
        ? `SET SESSION max_statement_time = ${ms / 1000}`
        : `SET SESSION max_execution_time = ${ms}`,
    );
    this.#timeouts.set(conn, ms);
  }
}

async function* runStatement(
  pool: mysql.Pool,
  killer: Killer,
  session: SessionSettings,
  request: RunRequest,
): AsyncGenerator<RowBatch> {
  const control = new RunControl(request.timeoutMs, request.signal);
  let conn: MysqlConnection;
  try {
    conn = await acquire(pool, control);
  } catch (error) {
    control.dispose();
    throw error;
  }
  let stream: RowStream | undefined;
  try {
    await control.race(session.applyTimeout(conn, request.timeoutMs));
    await control.race(simpleQuery(conn, 'START TRANSACTION READ ONLY'));
    control.startClock();
    const target = conn;
    control.onStop(() => killer.kill(target.threadId));
    stream = new RowStream(conn, request);
    yield* stream.batches(control);
  } catch (error) {
    throw mapError(error, control);
  } finally {
    control.dispose();
    await finish(conn, killer, control, stream);
  }
}

/** Waits for a free connection; when the run is aborted meanwhile, the late connection goes back. */
async function acquire(pool: mysql.Pool, control: RunControl): Promise<MysqlConnection> {
  const connecting = new Promise<MysqlConnection>((resolve, reject) => {
    pool.getConnection((error, conn) => (error ? reject(error) : resolve(connectionOf(conn))));
  });
  try {
    return await control.race(connecting);
  } catch (error) {
    connecting.then((conn) => conn.release()).catch(() => {});
    throw mapError(error, control);
  }
}

/**
 * Returns the connection to the pool only when it is known to be clean: the statement ended, the
 * transaction rolled back, no KILL still pending that could hit the next statement, and the
 * statement returned rows (anything else, e.g. `SET`, may have changed session state).
 */
async function finish(
  conn: MysqlConnection,
  killer: Killer,
  control: RunControl,
  stream: RowStream | undefined,
): Promise<void> {
  let killed = control.cancelled;
  if (stream && !stream.finished && !killed) {
    killed = true; // early stop (row cap, consumer left): the rest of the result is not wanted
    await settleWithin(killer.kill(conn.threadId), CLEANUP_GRACE_MS);
  }
  await control.cancelsDone();
  let clean = !stream || (await settleWithin(stream.drain(), CLEANUP_GRACE_MS));
  if (killed && !stream?.interrupted) clean = false;
  if (stream?.changedSession) clean = false;
  if (clean) clean = await settleWithin(simpleQuery(conn, 'ROLLBACK'), CLEANUP_GRACE_MS);
  if (clean) conn.release();
  else conn.destroy();
}

/**
 * The rows of one running statement, buffered up to one batch. The socket is paused when a batch
 * is full and resumed when the consumer takes it.
 */
class RowStream {
  /** The statement ended (rows complete, or an error). */
  finished = false;
  /** It ended because KILL QUERY interrupted it, so no KILL is left pending. */
  interrupted = false;
  /** It succeeded without a result set (`SET`, `DO` …): session state may have changed. */
  changedSession = false;
  #columns: Column[] | undefined;
  #maps: Array<(value: unknown) => JsonValue> = [];
  #rows: JsonValue[][] = [];
  #error: Error | undefined;
  #paused = false;
  #discard = false;
  #wake: (() => void) | undefined;
  #ended: Promise<void>;
  readonly #batchSize: number;

  constructor(
    private readonly conn: MysqlConnection,
    private readonly request: RunRequest,
  ) {
    this.#batchSize = Math.max(1, request.batchSize ?? DEFAULT_BATCH);
    const values = request.values.map((v) => (typeof v === 'bigint' ? v.toString() : v));
    const command = conn.execute({ sql: request.sql, rowsAsArray: true }, values);
    command.on('fields', (fields) => this.#onFields(fields));
    command.on('result', (row) => this.#onRow(row));
    command.on('error', (error) => {
      this.#error ??= error;
      if ((error as { errno?: number }).errno === ER_QUERY_INTERRUPTED) this.interrupted = true;
    });
    this.#ended = new Promise((resolve) => command.on('end', resolve)).then(() => {
      this.finished = true;
      this.changedSession = !this.#error && this.#columns === undefined;
      this.#wake?.();
    });
  }

  #onFields(fields: MysqlField[] | undefined): void {
    // Only the first result set is returned (a CALL may produce more); later rows are dropped.
    if (!fields || this.#columns) {
      this.#discard ||= Boolean(fields);
      return;
    }
    const described = fields.map(columnOf);
    this.#columns = described.map((d) => d.column);
    this.#maps = described.map((d) => d.map);
  }

  #onRow(row: unknown): void {
    if (this.#discard || !Array.isArray(row)) return;
    this.#rows.push(row.map((value, i) => this.#maps[i]!(value)));
    if (this.#rows.length >= this.#batchSize && !this.#paused) {
      this.#paused = true;
      this.conn.pause();
    }
    if (this.#rows.length >= this.#batchSize) this.#wake?.();
  }

  /** Resolves when `want` rows are buffered or the statement ended. */
  #ready(want: number): Promise<void> {
    if (this.#rows.length >= want || this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = () => {
        if (this.#rows.length >= want || this.finished) {
          this.#wake = undefined;
          resolve();
        }
      };
    });
  }

  async *batches(control: RunControl): AsyncGenerator<RowBatch> {
    let remaining = this.request.maxRows ?? Number.POSITIVE_INFINITY;
    for (let first = true; ; first = false) {
      await control.race(this.#ready(Math.max(1, Math.min(this.#batchSize, remaining))));
      if (this.#error) throw this.#error;
      const rows = this.#rows.splice(0, Math.min(this.#batchSize, remaining));
      remaining -= rows.length;
      if (this.#paused && this.#rows.length < this.#batchSize) {
        this.#paused = false;
        this.conn.resume();
      }
      // The first batch is always yielded, even empty, so the columns of an empty result are known.
      if (first || rows.length > 0) yield { columns: this.#columns ?? [], rows };
      if (remaining <= 0 || (this.finished && this.#rows.length === 0)) return;
    }
  }

  /** Drops buffered and further rows and waits for the statement to end. */
  drain(): Promise<void> {
    this.#discard = true;
    this.#rows = [];
    if (this.#paused) {
      this.#paused = false;
      this.conn.resume();
    }
    return this.#ended;
  }
}

/** A text-protocol query for the driver's own fixed statements (no user values). */
function simpleQuery(conn: MysqlConnection, sql: string): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, rowsAsArray: true }, (error, rows) => (error ? reject(error) : resolve(rows as unknown[][])));
  });
}

function connectionOf(conn: mysql.PoolConnection): MysqlConnection {
  return conn as unknown as MysqlConnection;
}

interface Killer {
  kill(threadId: number): Promise<void>;
  close(): Promise<void>;
}

/** One lazily opened control connection per pool, used only for KILL QUERY; KILLs run one at a time. */
function createKiller(options: mysql.ConnectionOptions): Killer {
  let control: mysql.Connection | undefined;
  let queue = Promise.resolve();
  const open = (): mysql.Connection => {
    if (control) return control;
    const conn = mysql.createConnection({ ...options, connectTimeout: 5000 });
    conn.on('error', () => {
      if (control === conn) control = undefined; // idle disconnect: reopen on next use
    });
    control = conn;
    return conn;
  };
  const killOnce = (threadId: number) =>
    new Promise<void>((resolve) => {
      const conn = open();
      // An "unknown thread" error just means the statement already ended.
      conn.query(`KILL QUERY ${Math.trunc(threadId)}`, (error) => {
        if ((error as { fatal?: boolean } | null)?.fatal && control === conn) control = undefined;
        resolve();
      });
    });
  return {
    kill(threadId) {
      queue = queue.then(() => killOnce(threadId));
      return queue;
    },
    async close() {
      const conn = control;
      control = undefined;
      if (conn) await new Promise<void>((resolve) => conn.end(() => resolve()));
    },
  };
}

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
  PROTOCOL_CONNECTION_LOST: 'connection lost',
  ER_ACCESS_DENIED_ERROR: 'authentication failed',
  ER_DBACCESS_DENIED_ERROR: 'access to the database denied',
  ER_BAD_DB_ERROR: 'unknown database',
  ER_CON_COUNT_ERROR: 'too many connections',
  ER_HOST_NOT_PRIVILEGED: 'host not allowed',
  ER_HOST_IS_BLOCKED: 'host blocked',
};

/** Turns a mysql2 error into an AppError; a stopped run reports why it stopped. */
function mapError(error: unknown, control: RunControl | undefined): Error {
  if (control?.error) return control.error;
  if (error instanceof AppError) return error;
  const e = error as { code?: string; errno?: number; sqlState?: string; fatal?: boolean; message?: string };
  // 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time.
  if (e.errno === 1969 || e.errno === 3024) return timeoutError(control?.timeoutMs ?? 0);
  const reason = e.code ? CONNECT_REASONS[e.code] : undefined;
  if (reason) return unreachableError(reason, error);
  if (e.fatal) return unreachableError('connection lost', error);
  if (e.sqlState) return new AppError('bad_request', e.message ?? 'SQL error', { cause: error });
  return new AppError('internal', 'The MySQL driver failed unexpectedly', { cause: error });
}
