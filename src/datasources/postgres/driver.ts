/**
 * PostgreSQL driver: node-postgres pool, one `pg-cursor` per run inside `BEGIN READ ONLY`.
 *
 * - single statement: the extended protocol (Parse/Bind) refuses several commands;
 * - tokens: `SET LOCAL standard_conforming_strings = on` before every statement, over any role or
 *   database default, so the server reads literals as the template renderer and the binder do;
 * - read-only and timeout: `BEGIN READ ONLY` + `SET LOCAL statement_timeout`, ended by ROLLBACK,
 *   which also undoes any session `SET` the statement made before the connection is reused;
 * - streaming: the cursor fetches `batchSize` rows per round trip (the next one requested while
 *   the consumer handles the current batch), so at most two batches are in memory;
 * - cancel: a protocol CancelRequest on a fresh socket, so it works even when the pool is full.
 */
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { AppError } from '../../errors.ts';
import type {
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
import {
  CLEANUP_GRACE_MS,
  RunControl,
  settleWithin,
  timeoutError,
  unreachableError,
} from '../run-control.ts';
import { type PostgresConfig, postgresConfigSchema, postgresFields, toPoolConfig } from './config.ts';
import { probePrivileges } from './privileges.ts';
import { pgTypes, typeName } from './types.ts';

const DEFAULT_BATCH = 1000;
const SERVER_TIMEOUT_MARGIN_MS = 250;
/** How long an early stop waits for a running prefetch before cancelling it. */
const PREFETCH_WAIT_MS = 100;

/** The parts of a node-postgres client this driver relies on beyond its typings. */
type BackendKey = { processID: number | null; secretKey: number | null; host: string; port: number };

const ignoreError = () => {};

/** What a run learned that decides whether its connection may go back to the pool. */
interface RunState {
  cursor?: Cursor<JsonValue[]>;
  cursorDone: boolean;
  pending?: Promise<unknown>;
  /** A CancelRequest went to the server while a fetch was running. */
  cancelSent: boolean;
  /** …and the fetch failed with it, so it cannot hit a later statement on this connection. */
  cancelConsumed: boolean;
}

export const postgresDriver: DriverModule<PostgresConfig> = {
  name: 'postgres',
  dialect: 'postgres',
  configSchema: postgresConfigSchema,
  fields: postgresFields,
  open(config: PostgresConfig, options: OpenOptions): DataSource {
    const { connectTimeoutMs, poolWaitMs } = poolTimeouts(options);
    const pool = new pg.Pool({
      ...toPoolConfig(config, options.poolSize, poolWaitMs),
      Client: timedClient(connectTimeoutMs),
    });
    // An idle pooled connection that dies (server restart) emits here; without a listener the
    // process would crash. The pool drops the connection by itself.
    pool.on('error', () => {});
    const slots: Slots = { pool, name: options.name, busyRefusals: 0 };
    let closing: Promise<void> | undefined;
    return {
      driver: 'postgres',
      async test() {
        await withClient(slots, options.statementTimeoutMs, (client) => client.query('SELECT 1'));
      },
      privileges: () => withClient(slots, options.statementTimeoutMs, probePrivileges),
      run: (request) => runStatement(slots, request),
      poolStats: (): PoolStats => ({
        inUse: pool.totalCount - pool.idleCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        busyRefusals: slots.busyRefusals,
      }),
      close() {
        closing ??= pool.end();
        return closing;
      },
    };
  },
};

/** Runs the driver's own query on a pooled connection; the connection is dropped after an error. */
async function withClient<T>(
  slots: Slots,
  timeoutMs: number,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await acquire(slots, new RunControl(timeoutMs));
  try {
    const result = await work(client);
    client.release();
    return result;
  } catch (error) {
    client.release(true);
    throw mapError(error, undefined);
  }
}

/** A pool, and what the driver counts about it. */
interface Slots {
  pool: pg.Pool;
  name: string | undefined;
  busyRefusals: number;
}

/**
 * Clients whose handshake has its own bound. The pool hands its whole config to each client, so
 * without this the client would take the pool's (pool-wait) bound for its handshake too.
 */
function timedClient(connectTimeoutMs: number): typeof pg.Client {
  return class TimedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

async function* runStatement(slots: Slots, request: RunRequest): AsyncGenerator<RowBatch> {
  const control = new RunControl(request.timeoutMs, request.signal);
  let client: pg.PoolClient;
  try {
    client = await acquire(slots, control);
  } catch (error) {
    control.dispose();
    throw error;
  }
  const state: RunState = { cursorDone: false, cancelSent: false, cancelConsumed: false };
  // A connection that dies between statements emits 'error' on the client; unheard, that would
  // crash the process. The failure still surfaces through the next query on it.
  client.on('error', ignoreError);
  try {
    control.startClock();
    // The server's timer is the backstop for a client that died; it runs a little longer than the
    // client's deadline so that normally our own cancel stops the statement. That cancel is then
    // known to be used up, and the connection can be reused; after a server-side timeout a cancel
    // of ours might still be travelling, and the connection has to be dropped.
    const ms = control.timeoutMs + SERVER_TIMEOUT_MARGIN_MS;
    // One round trip. DateStyle/bytea_output/extra_float_digits only change how values are
    // printed (the parsers in types.ts depend on it), never what the SQL means.
    // standard_conforming_strings DOES change what the SQL means: the template renderer and the
    // binder read `'C:\'` as a whole literal, as PostgreSQL does with it on. A role or database
    // default of `off` would make that backslash escape the quote and let a printed value out of
    // its literal, so it is pinned here, for every statement, over whatever the session says.
    const setup = `BEGIN READ ONLY; SET LOCAL statement_timeout = ${ms}; SET LOCAL standard_conforming_strings = on; SET LOCAL DateStyle = 'ISO'; SET LOCAL bytea_output = 'hex'; SET LOCAL extra_float_digits = 1`;
    await control.race(client.query(setup));
    // Only a running fetch needs cancelling; a cancel reaching an idle backend is dropped by it,
    // or worse, lands on the connection's next statement.
    control.onStop(() => {
      if (!state.pending) return;
      state.cancelSent = true;
      return sendCancel(client as unknown as BackendKey);
    });
    const cursor = new Cursor<JsonValue[]>(request.sql, request.values, { rowMode: 'array', types: pgTypes });
    state.cursor = client.query(cursor);
    yield* readBatches(cursor, request, control, state);
  } catch (error) {
    throw mapError(error, control);
  } finally {
    control.dispose();
    await finish(client, control, state);
  }
}

async function* readBatches(
  cursor: Cursor<JsonValue[]>,
  request: RunRequest,
  control: RunControl,
  state: RunState,
): AsyncGenerator<RowBatch> {
  const batchSize = Math.max(1, request.batchSize ?? DEFAULT_BATCH);
  let remaining = request.maxRows ?? Number.POSITIVE_INFINITY;
  // pg treats a fetch of 0 rows as "all rows", so always ask for at least one.
  const wanted = () => Math.max(1, Math.min(batchSize, remaining));
  let columns: Column[] | undefined;
  let next = fetchRows(cursor, wanted(), state);
  for (let first = true; ; first = false) {
    const { rows, fields } = await control.race(next);
    columns ??= fields.map((f) => ({ name: f.name, type: typeName(f.dataTypeID) }));
    const kept = rows.length > remaining ? rows.slice(0, remaining) : rows;
    remaining -= kept.length;
    const more = !state.cursorDone && remaining > 0;
    // Ask for the next batch before handing this one out: the server computes it while the
    // consumer works, instead of both taking turns (about a third faster on big results).
    if (more) next = fetchRows(cursor, wanted(), state);
    // The first batch is always yielded, even empty, so the columns of an empty result are known.
    if (first || kept.length > 0) yield { columns, rows: kept };
    if (!more) return;
  }
}

/** Starts one cursor fetch and records it in `state` while it is in flight. */
function fetchRows(
  cursor: Cursor<JsonValue[]>,
  wanted: number,
  state: RunState,
): Promise<{ rows: JsonValue[][]; fields: pg.FieldDef[] }> {
  const read = readCursor(cursor, wanted).then(
    (result) => {
      state.cursorDone = result.rows.length < wanted;
      return result;
    },
    (error: unknown) => {
      state.cursorDone = true; // after an error the portal is gone and the client re-synced
      if (state.cancelSent && isCancel(error)) state.cancelConsumed = true;
      throw error;
    },
  );
  const settled: Promise<void> = read.then(
    () => undefined,
    () => undefined,
  );
  settled.then(() => {
    if (state.pending === settled) state.pending = undefined;
  });
  state.pending = settled;
  return read;
}

function readCursor(
  cursor: Cursor<JsonValue[]>,
  rows: number,
): Promise<{ rows: JsonValue[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, result, info) => {
      if (error) reject(error);
      else resolve({ rows: result, fields: info?.fields ?? [] });
    });
  });
}

/** pg-pool's own words when a queued request saw no free connection within connectionTimeoutMillis. */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/** Waits for a free connection; when the run is aborted meanwhile, the late connection goes back. */
async function acquire(slots: Slots, control: RunControl): Promise<pg.PoolClient> {
  const connecting = slots.pool.connect();
  try {
    return await control.race(connecting);
  } catch (error) {
    connecting.then((client) => client.release()).catch(() => {});
    if (!control.error && (error as Error | null)?.message === POOL_WAIT_TIMEOUT) {
      slots.busyRefusals++;
      throw poolBusyError(slots.name);
    }
    throw mapError(error, control);
  }
}

/**
 * Returns the connection to the pool only when it is known to be clean: no fetch still running,
 * the transaction rolled back, and no cancel request still travelling that could hit the next
 * statement on it. Otherwise the connection is destroyed.
 */
async function finish(client: pg.PoolClient, control: RunControl, state: RunState): Promise<void> {
  await control.cancelsDone();
  // The consumer left while a prefetch was running: give it a moment, then stop it on the server.
  if (state.pending && !state.cancelSent && !(await settleWithin(state.pending, PREFETCH_WAIT_MS))) {
    state.cancelSent = true;
    await sendCancel(client as unknown as BackendKey);
  }
  let clean = true;
  if (state.pending) clean = await settleWithin(state.pending, CLEANUP_GRACE_MS);
  if (clean && state.cursor && !state.cursorDone) {
    clean = await settleWithin(state.cursor.close(), CLEANUP_GRACE_MS);
  }
  if (clean) clean = await settleWithin(client.query('ROLLBACK'), CLEANUP_GRACE_MS);
  if (state.cancelSent && !state.cancelConsumed) clean = false;
  client.off('error', ignoreError);
  client.release(!clean);
}

/** PostgreSQL's CancelRequest: 16 bytes on a new connection, no authentication, no pool slot. */
function sendCancel(client: BackendKey): Promise<void> {
  const { processID, secretKey } = client;
  if (processID === null || secretKey === null) return Promise.resolve();
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = client.host.startsWith('/')
      ? netConnect(`${client.host}/.s.PGSQL.${client.port}`)
      : netConnect(client.port, client.host);
    socket.setTimeout(CLEANUP_GRACE_MS, () => socket.destroy());
    socket.once('connect', () => socket.end(packet));
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
}

/**
 * The fetch failed as cancelled after our CancelRequest. (It could in theory be the server's own
 * statement timeout, but that is set later than our deadline by SERVER_TIMEOUT_MARGIN_MS.)
 */
function isCancel(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '57014';
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
};

/** Turns a node-postgres error into an AppError; a stopped run reports why it stopped. */
function mapError(error: unknown, control: RunControl | undefined): Error {
  if (control?.error) return control.error;
  if (error instanceof AppError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  // query_canceled that we did not ask for: the server's own statement timeout (messages are
  // localised by lc_messages, so the code decides, not the text).
  if (code === '57014' && control) return timeoutError(control.timeoutMs);
  if (code && NETWORK_REASONS[code]) return unreachableError(NETWORK_REASONS[code], error);
  if (code === '28P01' || code === '28000') return unreachableError('authentication failed', error);
  // Connection-level SQLSTATE classes: 08 connection (but 08P01 is a malformed request, e.g. a
  // wrong number of bind values), 53 resources, 57P shutdown, 3D no such database.
  if (code && code !== '08P01' && /^(08|53|57P|3D)/.test(code)) return unreachableError(text, error);
  if (code && /^[0-9A-Z]{5}$/.test(code)) return new AppError('bad_request', text, { cause: error });
  if (/timeout|terminated|Connection/i.test(text)) return unreachableError(shortReason(text), error);
  return new AppError('internal', 'The PostgreSQL driver failed unexpectedly', { cause: error });
}

function shortReason(text: string): string {
  if (/timeout/i.test(text)) return 'timed out';
  return 'connection lost';
}
