/**
 * The stop logic every driver's `run()` shares: a client-side deadline and the caller's
 * AbortSignal both end a run the same way — a driver-supplied hook cancels the statement on the
 * database server, and the pending read rejects with the stop reason right away.
 *
 * The client-side deadline exists next to the server's own statement timeout because the server's
 * timer does not see everything: PostgreSQL restarts it on every cursor fetch, MariaDB's SLEEP()
 * returns 1 instead of failing when interrupted, and SQLite has no timer at all.
 */
import { AppError } from '../errors.ts';

/** How long cleanup waits for the server to acknowledge a cancel before dropping the connection. */
export const CLEANUP_GRACE_MS = 3000;

/** Timers and server settings take at most a signed 32-bit millisecond count (about 24 days). */
const MAX_TIMEOUT_MS = 2_147_483_647 - 60_000;

/** A usable timeout: at least 1 ms, whole, and small enough for setTimeout and the servers. */
export function clampTimeout(timeoutMs: number): number {
  return Number.isFinite(timeoutMs)
    ? Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.ceil(timeoutMs)))
    : MAX_TIMEOUT_MS;
}

export function timeoutError(timeoutMs: number): AppError {
  const seconds = Math.round(timeoutMs) / 1000;
  return new AppError(
    'timeout',
    `The query ran longer than the statement timeout of ${seconds} s and was cancelled`,
  );
}

/** `reason` must be short and free of addresses, users and secrets. */
export function unreachableError(reason: string, cause?: unknown): AppError {
  return new AppError('database_unreachable', `Cannot connect to the database: ${reason}`, { cause });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The run was aborted', 'AbortError');
}

export class RunControl {
  #error: Error | undefined;
  #disposed = false;
  #deadline = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #hooks: Array<() => unknown> = [];
  #cancels: Promise<unknown>[] = [];
  /** Rejecters of the promises handed out by race() that have not settled yet. */
  #racing = new Set<(error: Error) => void>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.stop(abortReason(this.#signal!));
  readonly timeoutMs: number;

  constructor(timeoutMs: number, signal?: AbortSignal) {
    this.timeoutMs = clampTimeout(timeoutMs);
    this.#signal = signal;
    if (signal?.aborted) this.stop(abortReason(signal));
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Starts the deadline. Called once a connection is held, so pool queueing is not counted. */
  startClock(): void {
    if (this.#error || this.#timer) return;
    this.#deadline = Date.now() + this.timeoutMs;
    this.#timer = setTimeout(() => this.stop(timeoutError(this.timeoutMs)), this.timeoutMs);
  }

  /** The reason the run stopped, if it did. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Throws the stop reason. Also checks the deadline, for synchronous drivers whose timer cannot fire. */
  check(): void {
    if (!this.#error && Date.now() >= this.#deadline) this.stop(timeoutError(this.timeoutMs));
    if (this.#error) throw this.#error;
  }

  /** Registers the server-side cancel for the statement now running; runs at once if already stopped. */
  onStop(hook: () => unknown): void {
    if (this.#error) this.#cancels.push(Promise.resolve().then(hook));
    else this.#hooks.push(hook);
  }

  stop(error: Error): void {
    if (this.#error || this.#disposed) return;
    this.#error = error;
    clearTimeout(this.#timer);
    for (const hook of this.#hooks) this.#cancels.push(Promise.resolve().then(hook));
    for (const reject of this.#racing) reject(error);
    this.#racing.clear();
  }

  /** Resolves the promise unless the run stops first, in which case it rejects with the stop reason. */
  race<T>(promise: Promise<T>): Promise<T> {
    // Not Promise.race against one never-settling "stopped" promise: every race would leave a
    // reaction on it holding its result, i.e. every batch of rows, until the run ends.
    if (this.#error) {
      promise.catch(() => {});
      return Promise.reject(this.#error);
    }
    return new Promise<T>((resolve, reject) => {
      this.#racing.add(reject);
      promise.then(
        (value) => {
          this.#racing.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#racing.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** Waits for started cancel hooks (bounded), so cleanup runs after the server got the cancel. */
  async cancelsDone(): Promise<void> {
    await settleWithin(Promise.allSettled(this.#cancels), CLEANUP_GRACE_MS);
  }

  /** Ends the deadline and the signal listener; later stops do nothing. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#hooks = [];
    this.#disposed = true;
  }
}

/** True when the promise fulfils within `ms`; false when it rejects or takes longer. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
