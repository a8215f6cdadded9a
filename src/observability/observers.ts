/**
 * Adapters from the domain's observer hooks to the Prometheus instruments, so services and the
 * store only know their own small interfaces, never prom-client.
 */
import type { LogEvent } from 'kysely';
import type { RunObserver } from '../services/run-observer.ts';
import type { ScheduleObserver } from '../services/schedule-runs.ts';
import type { Metrics } from './metrics.ts';

/** A run on a cluster with the `all` strategy answers from several connections: one label. */
const connectionLabel = (connections: readonly string[]) =>
  connections.length === 0 ? 'none' : [...connections].sort().join(',');

export function reportRunMetrics(metrics: Metrics): RunObserver {
  return {
    runFinished({ report, connections, outcome, durationMs, rows }) {
      const labels = { report, outcome, connection: connectionLabel(connections) };
      metrics.reportRuns.inc(labels);
      metrics.reportDuration.observe(labels, durationMs / 1000);
      if (rows !== null) metrics.reportRows.observe(labels, rows);
    },
  };
}

export function scheduleRunMetrics(metrics: Metrics): ScheduleObserver {
  return {
    runFinished(outcome, deliveries) {
      metrics.scheduleRuns.inc({ outcome });
      for (const delivery of deliveries) {
        metrics.scheduleDeliveries.inc({ kind: delivery.kind, outcome: delivery.ok ? 'ok' : 'failed' });
      }
    },
  };
}

/** Kysely's operation node kinds, as short labels. */
const OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'select',
  InsertQueryNode: 'insert',
  UpdateQueryNode: 'update',
  DeleteQueryNode: 'delete',
};

export function storeQueryMetrics(metrics: Metrics): (event: LogEvent) => void {
  return (event) => {
    const operation = OPERATIONS[event.query.query.kind] ?? 'other';
    const outcome = event.level === 'error' ? 'error' : 'ok';
    metrics.storeQueryDuration.observe({ operation, outcome }, event.queryDurationMillis / 1000);
  };
}
