/**
 * Composition root: opens the store, wires repositories, services and HTTP by hand.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.ts';
import { buildServer } from './http/server.ts';
import { startAuditCleanup } from './jobs/audit-cleanup.ts';
import { type Scheduler, startScheduler } from './jobs/scheduler.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { reportRunMetrics, scheduleRunMetrics, storeQueryMetrics } from './observability/observers.ts';
import { accessGroupService } from './services/access-groups.ts';
import { apiTargetClient } from './services/api-target.ts';
import { auditService } from './services/audit.ts';
import { builtinReports } from './services/builtin-reports.ts';
import { bundleService } from './services/bundles.ts';
import { clusterService } from './services/clusters.ts';
import { commentService } from './services/comments.ts';
import { connectionService, openConnectionRow } from './services/connections.ts';
import { type DataSourceCache, dataSourceCache } from './services/data-source-cache.ts';
import { groupListService } from './services/group-lists.ts';
import { mailService } from './services/mailer.ts';
import { metadataCache } from './services/metadata-cache.ts';
import { oidcService } from './services/oidc.ts';
import { reportRunner } from './services/report-runner.ts';
import { reportVersionService } from './services/report-versions.ts';
import { reportService } from './services/reports.ts';
import { ownerRemovals, scheduleRuns } from './services/schedule-runs.ts';
import { scheduleService } from './services/schedules.ts';
import { checkServerKey, loadServerKey, type SecretBox, secretBox } from './services/server-key.ts';
import { sessionService } from './services/sessions.ts';
import { tokenService } from './services/tokens.ts';
import { userService } from './services/users.ts';
import { auditRepo } from './store/audit-repo.ts';
import { clusterRepo } from './store/cluster-repo.ts';
import { connectionRepo } from './store/connection-repo.ts';
import { holdDataDir } from './store/data-dir-lock.ts';
import {
  type MetadataStore,
  migrateToLatest,
  openMetadataStore,
  type StoreClient,
  waitForStore,
} from './store/db.ts';
import { metadataChangeRepo } from './store/metadata-change-repo.ts';
import { attemptLimits as openAttemptLimits } from './store/rate-limit-store.ts';
import { scheduleRepo } from './store/schedule-repo.ts';
import type { Database } from './store/tables.ts';
import { tokenRepo } from './store/token-repo.ts';
import { userRepo } from './store/user-repo.ts';

interface Shared {
  config: Readonly<Config>;
  box: SecretBox;
  cache: DataSourceCache;
  /** Tells the job engine that schedules changed; resolves once this instance has re-armed. */
  schedulesChanged?: () => Promise<void> | undefined;
  metrics?: Metrics;
  /** The driver handle under `db`, for the per-request change-counter read. */
  storeClient?: StoreClient;
}

/**
 * Every service, built once on the store. A service opens the transactions of its own changes;
 * nothing here is rebuilt per transaction.
 */
export function buildServices(
  db: Kysely<Database>,
  { config, box, cache, schedulesChanged, metrics, storeClient }: Shared,
) {
  const audit = auditService({ db, queryAudit: config.features.has('audit') });
  const roles = {
    adminUsers: config.adminUsers,
    adminGroup: config.adminGroup,
    editorGroup: config.editorGroup,
  };
  const metadata = metadataCache({ counter: metadataChangeRepo(db, storeClient).counter });
  const connections = connectionService({ db, box, cache, audit });
  const clusters = clusterService({ db, audit });
  const reports = reportService({ db, audit, metadata });
  const groupLists = groupListService({ db, audit, dataDir: config.dataDir });
  const accessGroups = accessGroupService({ db, audit, metadata });
  const sessions = sessionService({ db, ttlHours: config.sessionTtlHours });
  const groupsForEmail = (email: string) => groupLists.groupsContaining(email);
  const ownedSchedules = ownerRemovals({ onChange: schedulesChanged });
  // Users ask the provider for groups through oidc, which signs users in: bound once both exist.
  const users = userService({
    db,
    sessions,
    audit,
    roles,
    groupsForEmail,
    ownedSchedules,
    ssoGroups: config.oidc ? (subject, sealed) => oidc.currentGroups(subject, sealed) : undefined,
  });
  const oidc = oidcService({ oidc: config.oidc, box, users });
  const tokens = tokenService({ db, audit, roles, ownedSchedules, metadata });
  const builtins = builtinReports({ tokens, audit, users, adminGroup: config.adminGroup });
  const runner = reportRunner({
    reports,
    clusters: clusterRepo(db),
    connections,
    audit,
    hostname: config.hostname,
    accessGroups,
    builtins,
    metadata,
    observer: metrics && reportRunMetrics(metrics),
  });
  const mail = mailService({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    mailDomains: config.mailDomains,
    runner,
    audit,
  });
  const scheduleStore = scheduleRepo(db);
  return {
    audit,
    connections,
    clusters,
    reports,
    tokens,
    groupLists,
    accessGroups,
    users,
    sessions,
    oidc,
    runner,
    mail,
    schedules: scheduleService({
      db,
      schedules: scheduleStore,
      runs: scheduleRuns({
        schedules: scheduleStore,
        runner,
        userRows: userRepo(db),
        users,
        tokens: tokenRepo(db),
        roles,
        box,
        apiTarget: apiTargetClient({ allowPrivate: config.allowPrivateTargets }),
        apiMaxRows: config.apiTargetMaxRows,
        mailer: mail,
        observer: metrics && scheduleRunMetrics(metrics),
      }),
      runner,
      audit,
      box,
      allowPrivateTargets: config.allowPrivateTargets,
      mailDomains: config.mailDomains,
      minuteOnly: !config.databaseUrl.startsWith('sqlite:'),
      onChange: schedulesChanged,
    }),
    reportVersions: reportVersionService({ db, reports, runner, audit }),
    comments: commentService({ db, reports, audit }),
    bundles: bundleService({ db, connections, clusters, reports, groupLists, accessGroups }),
  };
}

export type Services = ReturnType<typeof buildServices>;

export interface App {
  config: Readonly<Config>;
  store: MetadataStore;
  services: Services;
  server: FastifyInstance;
  /** This app's Prometheus registry and instruments (served at /metrics). */
  metrics: Metrics;
  log: Logger;
  /** The schedule engine; null when built with `{ jobs: false }` (CLI). */
  scheduler: Scheduler | null;
  /** Turns `/readyz` to 503 so load balancers stop sending new requests; nothing else stops. */
  startDraining(): void;
  /**
   * Stops in order: the listener (in-flight requests may finish for `graceMs`, then their
   * connections are cut), schedules, data source pools, the store. Resolves false when the
   * grace ran out.
   */
  close(options?: { graceMs?: number }): Promise<boolean>;
}

export interface BuildOptions {
  /** Start background jobs (schedules); the CLI turns this off. Default true. */
  jobs?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream;
}

/** Resolves true when `work` settles within `ms`, false when the time runs out first. */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = work.then(
    () => true,
    () => true,
  );
  return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
}

/** Stops accepting, lets requests in flight finish for `graceMs`, then cuts the rest. */
async function closeListener(server: FastifyInstance, graceMs: number): Promise<boolean> {
  const closing = server.close();
  // Node closes idle keep-alive connections once, at close; a connection whose request
  // finishes later would hold the close open until its keep-alive timeout, so sweep again.
  const sweeper = setInterval(() => server.server.closeIdleConnections(), 100);
  const drained = await within(closing, graceMs);
  if (!drained) server.server.closeAllConnections();
  await closing;
  clearInterval(sweeper);
  return drained;
}

export async function buildApp(config: Readonly<Config>, options: BuildOptions = {}): Promise<App> {
  // Held while the app lives, so `restore` can tell that DATA_DIR is in use.
  const lock = holdDataDir(config.dataDir);
  try {
    const app = await assembleApp(config, options);
    return { ...app, close: (closeOptions) => app.close(closeOptions).finally(() => lock.release()) };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function assembleApp(config: Readonly<Config>, options: BuildOptions): Promise<App> {
  const log = createLogger(config, options.logStream);
  const key = loadServerKey(config);
  const box = secretBox(key.value);
  const cache = dataSourceCache((row) => openConnectionRow(row, box));
  const metrics = createMetrics({ poolStats: () => cache.poolStats() });
  const store = openMetadataStore(config.databaseUrl, {
    connectTimeoutMs: config.storeConnectTimeoutMs,
    log,
    onQuery: storeQueryMetrics(metrics),
  });
  await waitForStore(store, config.databaseUrl, { attempts: config.storeStartAttempts, log }).catch(
    async (error: unknown) => {
      await store.close();
      throw error;
    },
  );
  await migrateToLatest(store);
  await checkServerKey(connectionRepo(store.db), box, key).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  let scheduler: Scheduler | null = null;
  const shared = {
    config,
    box,
    cache,
    metrics,
    storeClient: store.client,
    // A change has committed when this runs: a failed re-read (the store gone a moment) is
    // logged, not the change's answer; the engine's periodic re-read catches up.
    schedulesChanged: () =>
      scheduler?.sync().catch((error: unknown) => {
        log.warn({ err: error }, 'Re-arming schedules after a change failed');
      }),
  };
  const services = buildServices(store.db, shared);
  // Header values of API targets saved before they were sealed are sealed now (idempotent).
  await services.schedules.sealPlaintextHeaders().catch((error: unknown) => {
    // Not fatal: plaintext rows still deliver; the next start tries again.
    log.warn({ err: error }, 'Sealing stored API-target headers failed');
  });
  const attemptLimits = openAttemptLimits(store);
  const lifecycle = { draining: false };
  const server = await buildServer({
    config,
    services,
    store,
    attemptLimits,
    metrics,
    log,
    lifecycle,
  });
  const auditCleanup = startAuditCleanup(auditRepo(store.db), config.auditAgeDays, log);
  if (options.jobs !== false) {
    scheduler = await startScheduler({
      dialect: store.dialect,
      databaseUrl: config.databaseUrl,
      schedules: services.schedules,
      log,
    });
  }
  return {
    config,
    store,
    services,
    server,
    metrics,
    log,
    scheduler,
    startDraining() {
      lifecycle.draining = true;
    },
    async close({ graceMs = config.shutdownTimeoutSeconds * 1000 } = {}) {
      lifecycle.draining = true;
      const deadline = Date.now() + graceMs;
      const drained = await closeListener(server, graceMs);
      auditCleanup.stop();
      const settled = await within(
        Promise.all([scheduler?.stop(), auditCleanup.firstRun]),
        Math.max(deadline - Date.now(), 1000),
      );
      attemptLimits.stop();
      await cache.closeAll();
      await store.close();
      return drained && settled;
    },
  };
}
