/**
 * What the report runner tells an optional observer (the metrics) when a run ends, so the runner
 * knows nothing of Prometheus.
 */
import { AppError, type ErrorCode } from '../errors.ts';

export interface RunFinished {
  /** The report's slug. */
  report: string;
  /** The connections that answered; empty when the run failed before one was chosen. */
  connections: string[];
  /** `ok`, the error code, or `cancelled` when the caller went away. */
  outcome: 'ok' | 'cancelled' | ErrorCode;
  durationMs: number;
  /** Null when the run failed before rows were read. */
  rows: number | null;
}

export interface RunObserver {
  runFinished(event: RunFinished): void;
}

export function outcomeOf(error: unknown): RunFinished['outcome'] {
  if (error === undefined) return 'ok';
  if (error instanceof AppError) return error.code;
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  return 'internal';
}

/** A run refused by the group check: it never starts, but it is a run the caller asked for. */
export const refusedRun = (report: string): RunFinished => ({
  report,
  connections: [],
  outcome: 'forbidden',
  durationMs: 0,
  rows: null,
});
