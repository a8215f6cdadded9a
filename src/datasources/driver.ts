/**
 * The one interface every report database driver implements. Features depend on this file only,
 * never on an npm driver directly.
 */
import type { z } from 'zod';
import type { RegisteredDriverName } from './registry.ts';

/** A driver's name, taken from the modules registered in registry.ts (never listed by hand). */
export type DriverName = RegisteredDriverName;

/** A value as it appears in a record, already mapped per SPEC §4.7. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value bound to a placeholder. Lists are expanded by the SQL binder before they reach a driver. */
export type BindValue = null | boolean | number | bigint | string | Date;

export interface Column {
  name: string;
  /** The database's own type name, lower case (e.g. `numeric`, `timestamptz`, `int8`, `text`). */
  type: string;
}

/** Rows arrive in batches; every batch repeats the same `columns` array. */
export interface RowBatch {
  columns: Column[];
  /** Each row holds one mapped value per column, in column order. */
  rows: JsonValue[][];
}

export interface RunRequest {
  /** One statement, placeholders already in the driver's dialect (`$1`, `?`). */
  sql: string;
  values: BindValue[];
  /** Statement timeout for this run; the database cancels the statement past it. */
  timeoutMs: number;
  /** Aborting cancels the statement on the database server. */
  signal?: AbortSignal;
  /** Stop reading after this many rows (the statement is then closed). */
  maxRows?: number;
  /** Preferred number of rows per batch. */
  batchSize?: number;
}

/** An open data source: a pool of connections to one database. */
export interface DataSource {
  readonly driver: DriverName;
  /** Connects and runs a trivial query; throws an AppError naming what failed. */
  test(): Promise<void>;
  /**
   * Runs one read-only statement. Always yields at least one batch (possibly with no rows) so
   * the columns of an empty result are known. Errors are AppErrors: `bad_request` for SQL the
   * database rejects, `timeout` past `timeoutMs`, `database_unreachable` when no connection can
   * be made (within `connectTimeoutMs`), `unavailable` when the pool had no free connection
   * within `poolWaitMs`.
   */
  run(request: RunRequest): AsyncIterable<RowBatch>;
  /**
   * Asks the server what the signed-in user may do beyond reading data: each finding completes
   * the sentence "the connection signs in as …" (e.g. `a database superuser`). Empty when the user
   * can only read, and always empty for drivers with nothing to ask (SQLite is opened read-only).
   * Errors as for `test()`.
   */
  privileges(): Promise<string[]>;
  /** How the pool is used right now, and how many runs it refused as busy since it opened. */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** A pool's gauges; the names are what the metrics endpoint exports. */
export interface PoolStats {
  /** Connections held by a run (or being opened for one). */
  inUse: number;
  /** Open connections waiting in the pool for a run. */
  idle: number;
  /** Runs waiting for a free connection. */
  waiting: number;
  /** Runs answered "the connection pool … is busy" (503) because no connection came free in time. */
  busyRefusals: number;
}

export interface OpenOptions {
  poolSize: number;
  /** Default statement timeout in milliseconds. */
  statementTimeoutMs: number;
  /** Bound on opening one connection (default 5000, never above the statement timeout); past it: 502. */
  connectTimeoutMs?: number;
  /** Bound on waiting for a free pooled connection (default: the statement timeout); past it: 503. */
  poolWaitMs?: number;
  /** The connection's name, for messages meant for the caller (no addresses or users). */
  name?: string;
}

/** A field of a driver's connection form, for UIs and validation messages. */
export interface ConfigField {
  name: string;
  label: string;
  secret?: boolean;
  required?: boolean;
}

export interface DriverModule<Config = unknown> {
  name: DriverName;
  /** SQL dialect for placeholders and literal escaping. */
  dialect: DriverName;
  configSchema: z.ZodType<Config>;
  fields: ConfigField[];
  open(config: Config, options: OpenOptions): DataSource;
}
