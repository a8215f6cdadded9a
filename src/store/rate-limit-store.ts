/**
 * Failed-attempt counters kept in the metadata store, so every instance of a deployment counts
 * the same failures: ten bad tokens spread over three instances are ten, not three times ten.
 * rate-limiter-flexible brings the counting SQL; it runs on the store's own pg pool or
 * better-sqlite3 handle against the `rate_limit` table from migration 0007 (`tableCreated`).
 *
 * SQLite shares the store's one connection on purpose: a second connection would wait on the
 * store's write lock synchronously, blocking the event loop that must finish that transaction.
 *
 * When the store cannot be reached, each limiter falls back to an in-memory insurance limiter
 * with the same limits: the process neither crashes nor stops limiting, it limits per instance
 * until the store answers again (requests that need the store fail on their own meanwhile).
 */
import { sql } from 'kysely';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import type { MetadataStore } from './db.ts';

const TABLE = 'rate_limit';
const PURGE_EVERY_MS = 5 * 60_000;
/** Rows are kept an hour past expiry; a window is minutes long, so nothing live is purged. */
const PURGE_AFTER_MS = 60 * 60_000;

export interface AttemptLimit {
  /** Names the counter; keys of different counters never collide. */
  keyPrefix: string;
  /** Failures allowed per key per window. */
  points: number;
  /** The window, in seconds. */
  duration: number;
}

export interface AttemptLimits {
  limiter(limit: AttemptLimit): RateLimiterAbstract;
  /** Stops the purge of expired counters; the store itself is closed by its owner. */
  stop(): void;
}

function storeLimiter(store: MetadataStore, limit: AttemptLimit): RateLimiterAbstract {
  const common = {
    ...limit,
    tableName: TABLE,
    tableCreated: true,
    // The library's own purge timer rejects unhandled on a busy or closed SQLite handle, which
    // would end the process; expired rows are purged below instead.
    clearExpiredByTimeout: false,
    insuranceLimiter: new RateLimiterMemory(limit),
  };
  const { client } = store;
  return client.dialect === 'postgres'
    ? new RateLimiterPostgres({ ...common, storeClient: client.pool, storeType: 'pool' })
    : new RateLimiterSQLite({ ...common, storeClient: client.database, storeType: 'better-sqlite3' });
}

/** One per app, on that app's metadata store. */
export function attemptLimits(store: MetadataStore): AttemptLimits {
  const purge = setInterval(() => {
    const cutoff = Date.now() - PURGE_AFTER_MS;
    sql`delete from ${sql.table(TABLE)} where expire < ${cutoff}`.execute(store.db).catch(() => {
      // Not critical: the rows are stale either way, and the next purge tries again.
    });
  }, PURGE_EVERY_MS);
  purge.unref();
  return {
    limiter: (limit) => storeLimiter(store, limit),
    stop: () => clearInterval(purge),
  };
}

/** One counter and the key a request is counted under in it (an address, a name, an email). */
export type CounterKey = readonly [limiter: RateLimiterAbstract, key: string];

const secondsOf = (state: RateLimiterRes) => Math.max(1, Math.ceil(state.msBeforeNext / 1000));

/**
 * Counts one failure under each key, in order, and returns the seconds to wait when a counter
 * is over its limit (null otherwise). Counting stops at the first counter over its limit, so a
 * blocked address cannot go on filling the counters that follow it (such as per-name ones).
 */
export async function countFailure(counters: readonly CounterKey[]): Promise<number | null> {
  for (const [limiter, key] of counters) {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return secondsOf(rejection);
      throw rejection;
    }
  }
  return null;
}

/** Seconds to wait when any of the keys has used up its failures, without counting; else null. */
export async function blockedFor(counters: readonly CounterKey[]): Promise<number | null> {
  for (const [limiter, key] of counters) {
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limiter.points) return secondsOf(state);
  }
  return null;
}
