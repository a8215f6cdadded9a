/**
 * The Prometheus instruments of one app. Each app owns its registry (never prom-client's global
 * one) so tests can build many apps in one process without "metric already registered" errors
 * or counts leaking between apps. Label values are bounded on purpose: route patterns, report
 * slugs, connection names and error codes — never URLs, parameters or user names.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import { lazyRequire } from '../lazy-require.ts';

// The instruments come from prom-client's own files: its index also loads the process metrics
// and, with them, @opentelemetry/api (about 80 files together), which only a scrape needs; they
// start after the server listens (`startProcessMetrics`), or with the first scrape.
const require = createRequire(import.meta.url);
const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
const collectDefaultMetrics = lazyRequire<typeof Prom.collectDefaultMetrics>(
  'prom-client/lib/defaultMetrics',
);

export const METRIC_PREFIX = 'secure_reporter_';

/** One data-source pool as the data-source cache sees it. */
export interface PoolStats {
  connection: string;
  inUse: number;
  idle: number;
  waiting: number;
  /** Runs refused since start because the pool was full. */
  busyRefusals: number;
}

export interface MetricsOptions {
  /** Read at every scrape; the pools are not owned by the metrics. */
  poolStats: () => PoolStats[];
  /** Process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

export type AuthFailureKind = 'token' | 'password' | 'session';

/** Seconds; report runs and HTTP answers span milliseconds to minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds; metadata queries are short, so the buckets are finer. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
const ROW_BUCKETS = [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

function httpMetrics(registers: Prom.Registry[]) {
  return {
    httpRequests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time from request to the end of the answer, by method and route pattern',
      labelNames: ['method', 'route'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
  };
}

function reportMetrics(registers: Prom.Registry[]) {
  const labelNames = ['report', 'outcome', 'connection'] as const;
  return {
    reportRuns: new Counter({
      name: `${METRIC_PREFIX}report_runs_total`,
      help: 'Report runs by report slug, outcome (ok or the error code) and connection',
      labelNames,
      registers,
    }),
    reportDuration: new Histogram({
      name: `${METRIC_PREFIX}report_run_duration_seconds`,
      help: 'Report run time until the last row was read, by report, outcome and connection',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    reportRows: new Histogram({
      name: `${METRIC_PREFIX}report_run_rows`,
      help: 'Rows returned per report run, by report, outcome and connection',
      labelNames,
      buckets: ROW_BUCKETS,
      registers,
    }),
  };
}

function scheduleMetrics(registers: Prom.Registry[]) {
  return {
    scheduleRuns: new Counter({
      name: `${METRIC_PREFIX}schedule_runs_total`,
      help: 'Scheduled runs by outcome (ok, delivery_failed, paused, error)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    scheduleDeliveries: new Counter({
      name: `${METRIC_PREFIX}schedule_deliveries_total`,
      help: 'Deliveries of scheduled runs by kind (email, api) and outcome (ok, failed)',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
  };
}

function securityAndStoreMetrics(registers: Prom.Registry[]) {
  return {
    authFailures: new Counter({
      name: `${METRIC_PREFIX}auth_failures_total`,
      help: 'Failed authentications by kind (token, password, session)',
      labelNames: ['kind'] as const,
      registers,
    }),
    storeQueryDuration: new Histogram({
      name: `${METRIC_PREFIX}store_query_duration_seconds`,
      help: 'Metadata store query time by operation (select, insert, update, delete, other) and outcome',
      labelNames: ['operation', 'outcome'] as const,
      buckets: STORE_BUCKETS,
      registers,
    }),
  };
}

/** Gauges read from the pools at scrape time, so they are never stale. */
function poolMetrics(registers: Prom.Registry[], poolStats: () => PoolStats[]) {
  return {
    poolConnections: new Gauge({
      name: `${METRIC_PREFIX}pool_connections`,
      help: 'Data-source pool connections by connection and state (in_use, idle, waiting)',
      labelNames: ['connection', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const pool of poolStats()) {
          this.set({ connection: pool.connection, state: 'in_use' }, pool.inUse);
          this.set({ connection: pool.connection, state: 'idle' }, pool.idle);
          this.set({ connection: pool.connection, state: 'waiting' }, pool.waiting);
        }
      },
    }),
    poolBusyRefusals: new Counter({
      name: `${METRIC_PREFIX}pool_busy_refusals_total`,
      help: 'Runs refused because the data-source pool was full, by connection',
      labelNames: ['connection'] as const,
      registers,
      // The pools keep the running total; the counter mirrors it at each scrape.
      collect() {
        this.reset();
        for (const pool of poolStats()) this.inc({ connection: pool.connection }, pool.busyRefusals);
      },
    }),
  };
}

/** Creates the registry and every instrument of one app. */
export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  const registers = [registry];
  let processMetrics = options.processMetrics !== false;
  return {
    registry,
    /**
     * Registers the process metrics (CPU, memory, event loop, GC) once; later calls do nothing.
     * Called after the server listens, and before every scrape, so no scrape goes without them.
     */
    startProcessMetrics() {
      if (!processMetrics) return;
      processMetrics = false;
      collectDefaultMetrics()({ register: registry, prefix: METRIC_PREFIX });
    },
    ...httpMetrics(registers),
    ...reportMetrics(registers),
    ...scheduleMetrics(registers),
    ...securityAndStoreMetrics(registers),
    ...poolMetrics(registers, options.poolStats),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
