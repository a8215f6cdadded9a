/**
 * Turns a lost or unreachable metadata store into one AppError ('unavailable', HTTP 503) at the
 * driver, the one place every store query passes through. Errors of the SQL itself (a unique
 * violation, a syntax error) pass unchanged, so services still see them; errors of report
 * databases never come here, so they keep their own codes.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { AppError } from '../errors.ts';

export const STORE_UNAVAILABLE_MESSAGE = 'The metadata store is unavailable; try again shortly';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

// pg and pg-pool report a dead or never-opened socket with these plain Errors, without a code.
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable$/,
  /^Query read timeout$/,
];

/** A short reason for logs: the error code (ECONNREFUSED, 57P01) or "timeout" / "connection lost". */
export function connectionFault(error: unknown): string | null {
  const cause = error instanceof AppError && error.code === 'unavailable' ? error.cause : error;
  if (!(cause instanceof Error)) return null;
  const code = (cause as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))
  )
    return code;
  // AggregateError: `localhost` resolves to ::1 and 127.0.0.1, and both refused.
  if (cause instanceof AggregateError) return connectionFault(cause.errors[0]);
  if (/timeout/.test(cause.message) && DRIVER_MESSAGES.some((pattern) => pattern.test(cause.message)))
    return 'timeout';
  if (DRIVER_MESSAGES.some((pattern) => pattern.test(cause.message))) return 'connection lost';
  return null;
}

function translated(error: unknown): unknown {
  if (error instanceof AppError || connectionFault(error) === null) return error;
  return new AppError('unavailable', STORE_UNAVAILABLE_MESSAGE, { cause: error });
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translated(error);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guard(() => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw translated(error);
    }
  }
}

// The inner driver gets its own connection back: Kysely's drivers keep private state on it.
const innerOf = (connection: DatabaseConnection) =>
  connection instanceof GuardedConnection ? connection.inner : connection;

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init = () => guard(() => this.inner.init());
  acquireConnection = () => guard(async () => new GuardedConnection(await this.inner.acquireConnection()));
  beginTransaction = (connection: DatabaseConnection, settings: TransactionSettings) =>
    guard(() => this.inner.beginTransaction(innerOf(connection), settings));
  commitTransaction = (connection: DatabaseConnection) =>
    guard(() => this.inner.commitTransaction(innerOf(connection)));
  rollbackTransaction = (connection: DatabaseConnection) =>
    guard(() => this.inner.rollbackTransaction(innerOf(connection)));
  releaseConnection = (connection: DatabaseConnection) => this.inner.releaseConnection(innerOf(connection));
  destroy = () => this.inner.destroy();
  savepoint: Driver['savepoint'] = (connection, name, compile) =>
    guard(async () => this.inner.savepoint?.(innerOf(connection), name, compile));
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) =>
    guard(async () => this.inner.rollbackToSavepoint?.(innerOf(connection), name, compile));
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) =>
    guard(async () => this.inner.releaseSavepoint?.(innerOf(connection), name, compile));
}

/** Wraps a dialect so connection faults surface as AppError('unavailable'). */
export function guardedDialect(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new GuardedDriver(inner.createDriver()),
    createQueryCompiler: () => inner.createQueryCompiler(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector takes Kysely<any>.
    createIntrospector: (db: Kysely<any>) => inner.createIntrospector(db),
  };
}
