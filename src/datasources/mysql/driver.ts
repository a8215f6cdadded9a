/**
 * MySQL / MariaDB driver: a mysql2 pool; each run is one server-side prepared statement
 * (`execute`, so values are bound by the server, never spliced into the SQL text by the client).
 *
 * - single statement: `multipleStatements: false`, and a prepared statement holds one statement;
 * - read-only: the SESSION is made read-only before every run, so the statement runs as a
 *   read-only autocommit transaction. `START TRANSACTION READ ONLY` alone is NOT enough: DDL
 *   (DROP, ALTER, TRUNCATE, RENAME, CREATE INDEX/VIEW/DATABASE/USER …) commits the transaction
 *   implicitly and then runs — MariaDB 10.11 was seen dropping a table that way;
 * - tokens: the session's sql_mode loses NO_BACKSLASH_ESCAPES and ANSI_QUOTES before every run, so
 *   the server cuts literals where the template renderer and the binder do (privileges.ts);
 * - time zone: the session's `time_zone` is `+00:00` for every run, so TIMESTAMP values (stored
 *   as instants) arrive in UTC and carry `+00:00` like PostgreSQL's timestamptz (types.ts);
 *   NOW() and CURDATE() read in UTC too;
 * - timeout: session `max_statement_time` (MariaDB, seconds) or `max_execution_time` (MySQL, ms,
 *   SELECT only), set in the same round trip, plus the client-side deadline;
 * - streaming: rows are taken off the socket as they arrive; the socket is paused while a batch
 *   waits for the consumer, so TCP backpressure holds the server;
 * - cancel and early stop: `KILL QUERY <thread id>` from a separate control connection, as the
 *   protocol has no in-band cancel and the pool may be full.
 */
import mysql from 'mysql2';
import { AppError } from '../../errors.ts';
import type { DataSource, DriverModule, OpenOptions, RowBatch, RunRequest } from '../driver.ts';
import { poolTimeouts } from '../pool-settings.ts';
import {
  CLEANUP_GRACE_MS,
  RunControl,
  settleWithin,
  timeoutError,
  unreachableError,
} from '../run-control.ts';
import {
  type MysqlConfig,
  mysqlConfigSchema,
  mysqlFields,
  toConnectionOptions,
  toPoolOptions,
} from './config.ts';
import { PoolSlots } from './pool-slots.ts';
import { findingsOfGrants, PINNED_SQL_MODE } from './privileges.ts';
import { type MysqlConnection, RowStream } from './row-stream.ts';

export const mysqlDriver: DriverModule<MysqlConfig> = {
  name: 'mysql',
  dialect: 'mysql',
  configSchema: mysqlConfigSchema,
  fields: mysqlFields,
  open(config: MysqlConfig, options: OpenOptions): DataSource {
    const { connectTimeoutMs, poolWaitMs } = poolTimeouts(options);
    const pool = mysql.createPool(toPoolOptions(config, options.poolSize, connectTimeoutMs));
    const slots = new PoolSlots(pool, options.poolSize, poolWaitMs, options.name);
    const killer = createKiller({ ...toConnectionOptions(config), connectTimeout: connectTimeoutMs });
    const session = new SessionSettings();
    let closing: Promise<void> | undefined;
    return {
      driver: 'mysql',
      async test() {
        await withConnection(slots, options.statementTimeoutMs, (conn) => simpleQuery(conn, 'SELECT 1'));
      },
      privileges: () =>
        withConnection(slots, options.statementTimeoutMs, async (conn) =>
          findingsOfGrants((await simpleQuery(conn, 'SHOW GRANTS')).map((row) => String(row[0]))),
        ),
      run: (request) => runStatement(slots, killer, session, request),
      poolStats: () => slots.stats(),
      close() {
        closing ??= killer.close().then(() => new Promise<void>((resolve) => pool.end(() => resolve())));
        return closing;
      },
    };
  },
};

/** Runs the driver's own query on a pooled connection; the connection is dropped after an error. */
async function withConnection<T>(
  slots: PoolSlots,
  timeoutMs: number,
  work: (conn: MysqlConnection) => Promise<T>,
): Promise<T> {
  const conn = await acquire(slots, new RunControl(timeoutMs));
  try {
    const result = await work(conn);
    slots.giveBack(conn, true);
    return result;
  } catch (error) {
    slots.giveBack(conn, false);
    throw mapError(error, undefined);
  }
}

/**
 * Puts a connection in the state every run needs, in one round trip per run. It is re-applied
 * each time rather than cached, so nothing a previous statement did (e.g. a procedure setting
 * the session read-write, or a server default sql_mode with NO_BACKSLASH_ESCAPES) can carry over.
 * The server flavour is detected once per pool.
 */
/** Token rules and the zone TIMESTAMP values are rendered in (types.ts appends `+00:00`). */
const SESSION_VALUES = `${PINNED_SQL_MODE}, time_zone = '+00:00'`;

class SessionSettings {
  #flavour: Promise<'mariadb' | 'mysql'> | undefined;

  /** `timeoutMs` is already clamped to a whole number of milliseconds (RunControl). */
  async prepare(conn: MysqlConnection, timeoutMs: number): Promise<void> {
    this.#flavour ??= simpleQuery(conn, 'SELECT VERSION()').then((rows) =>
      /mariadb/i.test(String(rows[0]?.[0])) ? 'mariadb' : 'mysql',
    );
    this.#flavour.catch(() => {
      this.#flavour = undefined; // detect again on the next run
    });
    await simpleQuery(
      conn,
      (await this.#flavour) === 'mariadb'
        ? `SET SESSION tx_read_only = 1, max_statement_time = ${timeoutMs / 1000}, ${SESSION_VALUES}`
        : `SET SESSION transaction_read_only = 1, max_execution_time = ${timeoutMs}, ${SESSION_VALUES}`,
    );
  }
}

async function* runStatement(
  slots: PoolSlots,
  killer: Killer,
  session: SessionSettings,
  request: RunRequest,
): AsyncGenerator<RowBatch> {
  const control = new RunControl(request.timeoutMs, request.signal);
  let conn: MysqlConnection;
  try {
    conn = await acquire(slots, control);
  } catch (error) {
    control.dispose();
    throw error;
  }
  let stream: RowStream | undefined;
  let failure: unknown;
  try {
    await control.race(session.prepare(conn, control.timeoutMs));
    control.startClock();
    const running = new RowStream(conn, request);
    stream = running;
    // Only a statement still running needs a KILL; one that ended must not get a stray one.
    control.onStop(() => (running.finished ? undefined : running.kill(killer)));
    yield* running.batches(control);
  } catch (error) {
    failure = error;
    throw mapError(error, control);
  } finally {
    control.dispose();
    // Only an error the server reported for the SQL (or our own stop) leaves the connection usable.
    const broken = failure !== undefined && failure !== control.error && !isSqlError(failure);
    slots.giveBack(conn, await finish(killer, control, stream, broken));
  }
}

/** Waits for a free connection (bounded, see PoolSlots); errors become AppErrors. */
async function acquire(slots: PoolSlots, control: RunControl): Promise<MysqlConnection> {
  try {
    return await slots.acquire(control);
  } catch (error) {
    throw mapError(error, control);
  }
}

/**
 * Whether the connection may go back to the pool: only when it is known to be clean — the
 * statement ended, any KILL sent for it was answered (so it cannot hit the next statement), and
 * the statement returned rows (anything else, e.g. `SET` or `BEGIN`, may have changed session state).
 */
async function finish(
  killer: Killer,
  control: RunControl,
  stream: RowStream | undefined,
  broken: boolean,
): Promise<boolean> {
  await control.cancelsDone();
  if (stream && !stream.finished && !stream.killed) {
    // Early stop (row cap, consumer left): the rest of the result is not wanted.
    await settleWithin(stream.kill(killer), CLEANUP_GRACE_MS);
  }
  let clean = !broken && (!stream || (await settleWithin(stream.drain(), CLEANUP_GRACE_MS)));
  if (stream?.killed && !stream.killAnswered) clean = false;
  if (stream?.changedSession) clean = false;
  return clean;
}

/** A text-protocol query for the driver's own fixed statements (no user values). */
function simpleQuery(conn: MysqlConnection, sql: string): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, rowsAsArray: true }, (error, rows) =>
      error ? reject(error) : resolve(rows as unknown[][]),
    );
  });
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
    const conn = mysql.createConnection(options);
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

function isSqlError(error: unknown): boolean {
  const e = error as { sqlState?: string; fatal?: boolean };
  return Boolean(e.sqlState) && !e.fatal;
}

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
