/**
 * Streaming for the MySQL driver: rows of one running statement are taken off the socket as
 * they arrive and handed out in batches. While a full batch waits for the consumer the socket is
 * paused, so TCP backpressure holds the server instead of memory filling up.
 */
import mysql from 'mysql2';
import type { BindValue, Column, JsonValue, RowBatch, RunRequest } from '../driver.ts';
import type { RunControl } from '../run-control.ts';
import { columnOf, type MysqlField } from './types.ts';

const DEFAULT_BATCH = 1000;

/**
 * mysql2 sends a JS number as DOUBLE; an integer (bigint, see services/parameters.ts) goes as
 * BIGINT so the server sees the type the field declared. Values that do not fit signed 64 bits
 * (no field produces them) go as text, which MySQL converts as it would a literal.
 */
function toMysql(value: BindValue): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= INT64_MIN && value <= INT64_MAX ? mysql.TypedParameter.LONGLONG(value) : value.toString();
}
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The slice of a mysql2 (callback API) pooled connection this driver uses. */
export interface MysqlConnection {
  threadId: number;
  query(
    options: { sql: string; rowsAsArray: boolean },
    callback: (error: Error | null, rows: unknown) => void,
  ): void;
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

/**
 * The rows of one running statement, buffered up to one batch. The socket is paused when a batch
 * is full and resumed when the consumer takes it.
 */
export class RowStream {
  /** The statement ended (rows complete, or an error). */
  finished = false;
  /** A KILL QUERY was sent for it. */
  killed = false;
  /**
   * The server has answered that KILL. From then on nothing can hit the connection's next
   * statement: MariaDB and MySQL clear a KILL QUERY flag when the next command starts (checked:
   * a KILL QUERY to an idle MariaDB connection leaves its next statement alone).
   */
  killAnswered = false;
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
    const values = request.values.map(toMysql);
    const command = conn.execute({ sql: request.sql, rowsAsArray: true }, values);
    command.on('fields', (fields) => this.#onFields(fields));
    command.on('result', (row) => this.#onRow(row));
    command.on('error', (error) => {
      this.#error ??= error;
      this.#wake?.(); // 'end' follows, but the consumer need not wait for it
    });
    this.#ended = new Promise<void>((resolve) => command.on('end', () => resolve())).then(() => {
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
    if (this.#rows.length >= want || this.finished || this.#error) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = () => {
        if (this.#rows.length >= want || this.finished || this.#error) {
          this.#wake = undefined;
          resolve();
        }
      };
    });
  }

  async *batches(control: RunControl): AsyncGenerator<RowBatch> {
    let remaining = this.request.maxRows ?? Number.POSITIVE_INFINITY;
    for (let first = true; ; first = false) {
      control.check(); // buffered rows must not outrun a stop that happened meanwhile
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

  /** Stops the statement on the server (see `Killer`). */
  kill(killer: { kill(threadId: number): Promise<void> }): Promise<void> {
    this.killed = true;
    return killer.kill(this.conn.threadId).then(() => {
      this.killAnswered = true;
    });
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
