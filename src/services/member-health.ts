/**
 * A circuit breaker per open data source (so per connection, reset when the connection is edited
 * and reopened). A member that failed to connect is skipped for a back-off — 5 s, doubling with
 * each failed retry, at most 60 s — so a database that accepts TCP and never answers does not
 * cost every run the full connect timeout. When the back-off is over one run is let through as
 * a probe; its success closes the breaker, its failure opens it again for twice as long.
 *
 * Only failures to connect count (`database_unreachable`). Any other answer, even an SQL error
 * or a statement timeout, proves the database is there. A busy pool or a run the caller abandoned
 * before it connected proves nothing either way.
 */
import type { DataSource } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';

export interface BreakerOptions {
  baseMs: number;
  maxMs: number;
  now: () => number;
}

interface Breaker {
  failures: number;
  /** Until then the member is skipped. */
  openUntil: number;
  /** A probe run is under way; others keep skipping the member meanwhile. */
  probing: boolean;
}

export class MemberHealth {
  readonly #breakers = new WeakMap<DataSource, Breaker>();
  readonly #options: BreakerOptions;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.#options = { baseMs: 5000, maxMs: 60_000, now: Date.now, ...options };
  }

  /** Milliseconds until the member may be tried again; 0 when a run may go to it now. */
  retryIn(source: DataSource): number {
    const breaker = this.#breakers.get(source);
    if (!breaker || breaker.failures === 0) return 0;
    const wait = breaker.openUntil - this.#options.now();
    if (wait > 0) return wait;
    return breaker.probing ? 1 : 0;
  }

  /** Call when a run goes to the member (after `retryIn` said 0); a half-open breaker starts its probe. */
  begin(source: DataSource): void {
    const breaker = this.#breakers.get(source);
    if (breaker && breaker.failures > 0) breaker.probing = true;
  }

  /** Call with the outcome of opening a run on the member (undefined: it answered). */
  end(source: DataSource, error?: unknown): void {
    const breaker = this.#breakers.get(source) ?? { failures: 0, openUntil: 0, probing: false };
    breaker.probing = false;
    if (error instanceof AppError && error.code === 'database_unreachable') {
      const { baseMs, maxMs, now } = this.#options;
      breaker.failures++;
      breaker.openUntil = now() + Math.min(maxMs, baseMs * 2 ** (breaker.failures - 1));
      this.#breakers.set(source, breaker);
    } else if (!(error instanceof AppError) || error.code === 'unavailable') {
      // Abandoned or busy: no verdict, the next run may probe.
    } else {
      this.#breakers.delete(source);
    }
  }
}

/** The process-wide breakers the strategies use. */
export const memberHealth = new MemberHealth();

/** The 502 for members skipped by their breaker; names only, never addresses. */
export function breakerOpenError(skipped: Array<{ name: string; retryInMs: number }>): AppError {
  const list = skipped
    .map(({ name, retryInMs }) => `"${name}" (next attempt in ${Math.ceil(retryInMs / 1000)} s)`)
    .join(', ');
  return new AppError(
    'database_unreachable',
    `Not connecting to ${list}: the last attempt to connect failed, so it is skipped for a while`,
  );
}
