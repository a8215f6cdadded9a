/**
 * The two waits before a statement starts, bounded apart from each other because they mean
 * different things: connecting (a TCP and authentication handshake; too long means the database
 * is unreachable, a 502) and waiting for a free pooled connection (the pool is busy, a 503).
 * Both are optional connection settings and never exceed the statement timeout, so a run is
 * bounded by about twice the statement timeout in all.
 */
import { z } from 'zod';
import { AppError, badRequest } from '../errors.ts';
import type { ConfigField, OpenOptions } from './driver.ts';

/** Long enough for a TLS handshake across a continent, short enough to fail over quickly. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

const millis = z.coerce.number().int().min(100).max(3_600_000).optional();

/** Settings shared by every driver's config schema. */
export const poolSettingsShape = { connect_timeout_ms: millis, pool_wait_ms: millis };

export const connectTimeoutField: ConfigField = {
  name: 'connect_timeout_ms',
  label: `Connect timeout, ms (default ${DEFAULT_CONNECT_TIMEOUT_MS}, at most the statement timeout)`,
};
export const poolWaitField: ConfigField = {
  name: 'pool_wait_ms',
  label: 'Wait for a free pooled connection, ms (default and maximum: the statement timeout)',
};

interface PoolSettings {
  connect_timeout_ms?: number;
  pool_wait_ms?: number;
}

/**
 * Refuses a setting above the statement timeout, naming it.
 * @throws AppError `bad_request`
 */
export function checkPoolSettings(settings: PoolSettings, statementTimeoutMs: number): void {
  for (const name of ['connect_timeout_ms', 'pool_wait_ms'] as const) {
    const value = Number(settings[name]);
    if (settings[name] !== undefined && value > statementTimeoutMs) {
      throw badRequest(
        `Connection setting "${name}" (${value}) must not exceed statement_timeout_ms (${statementTimeoutMs})`,
      );
    }
  }
}

/** Open options with the settings of a validated config applied (drivers fill the defaults). */
export function withPoolSettings(options: OpenOptions, settings: PoolSettings): OpenOptions {
  return {
    ...options,
    connectTimeoutMs: settings.connect_timeout_ms ?? options.connectTimeoutMs,
    poolWaitMs: settings.pool_wait_ms ?? options.poolWaitMs,
  };
}

/** The bounds a driver applies: the given ones or the defaults, never above the statement timeout. */
export function poolTimeouts(options: OpenOptions): { connectTimeoutMs: number; poolWaitMs: number } {
  const limit = Math.max(1, options.statementTimeoutMs);
  return {
    connectTimeoutMs: Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, limit),
    poolWaitMs: Math.min(options.poolWaitMs ?? limit, limit),
  };
}

/** Waiting for a pool slot ran out: the database is fine, this server has no free connection to it. */
export function poolBusyError(name: string | undefined): AppError {
  return new AppError(
    'unavailable',
    name ? `the connection pool of ${name} is busy` : 'the connection pool is busy',
  );
}
