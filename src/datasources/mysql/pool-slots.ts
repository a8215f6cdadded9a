/**
 * Bounded waiting and gauges for a mysql2 pool, which has neither: a request queued for a free
 * connection waits forever, and the pool reports no counts. `connectTimeout` bounds only the
 * handshake of a new connection, so the two waits stay apart (502 unreachable vs 503 busy).
 */
import type mysql from 'mysql2';
import type { PoolStats } from '../driver.ts';
import { poolBusyError } from '../pool-settings.ts';
import type { RunControl } from '../run-control.ts';
import type { MysqlConnection } from './row-stream.ts';

/** The one private field read: mysql2 exposes no count of idle connections. */
type PoolInternals = { _freeConnections?: { length: number } };

export class PoolSlots {
  /** Requests handed a connection, or being given one (queued or connecting). */
  #held = 0;
  #waiting = 0;
  #busyRefusals = 0;

  constructor(
    private readonly pool: mysql.Pool,
    private readonly size: number,
    private readonly waitMs: number,
    private readonly name: string | undefined,
  ) {}

  /**
   * A connection for one run. A request that has to queue gets `waitMs`, then a 503; a late
   * connection (after that, or after the run stopped) goes straight back to the pool.
   */
  async acquire(control: RunControl): Promise<MysqlConnection> {
    const queued = this.#held >= this.size;
    this.#held++;
    const connecting = new Promise<MysqlConnection>((resolve, reject) => {
      this.pool.getConnection((error, conn) =>
        error ? reject(error) : resolve(conn as unknown as MysqlConnection),
      );
    });
    connecting.catch(() => this.#held--); // a failed connect holds nothing
    if (queued) {
      this.#waiting++;
      connecting.then(
        () => this.#waiting--,
        () => this.#waiting--,
      );
    }
    try {
      return await control.race(queued ? this.#bounded(connecting) : connecting);
    } catch (error) {
      connecting.then((conn) => this.giveBack(conn, true)).catch(() => {});
      throw error;
    }
  }

  /** Ends a run's hold on its connection: back to the pool when clean, else closed. */
  giveBack(conn: MysqlConnection, clean: boolean): void {
    this.#held--;
    if (clean) conn.release();
    else conn.destroy();
  }

  stats(): PoolStats {
    const idle = (this.pool as unknown as PoolInternals)._freeConnections?.length ?? 0;
    return {
      inUse: this.#held - this.#waiting,
      idle,
      waiting: this.#waiting,
      busyRefusals: this.#busyRefusals,
    };
  }

  #bounded(connecting: Promise<MysqlConnection>): Promise<MysqlConnection> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#busyRefusals++;
        reject(poolBusyError(this.name));
      }, this.waitMs);
    });
    return Promise.race([connecting, late]).finally(() => clearTimeout(timer));
  }
}
