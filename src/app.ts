/**
 * Composition root: opens the store, wires repositories, services and HTTP by hand.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { buildServer } from './http/server.ts';
import { auditService } from './services/audit.ts';
import { clusterService } from './services/clusters.ts';
import { connectionService, openConnectionRow } from './services/connections.ts';
import { type DataSourceCache, dataSourceCache } from './services/data-source-cache.ts';
import { reportRunner } from './services/report-runner.ts';
import { reportService } from './services/reports.ts';
import { loadOrCreateServerKey, type SecretBox, secretBox } from './services/server-key.ts';
import { tokenService } from './services/tokens.ts';
import { auditRepo } from './store/audit-repo.ts';
import { clusterRepo } from './store/cluster-repo.ts';
import { connectionRepo } from './store/connection-repo.ts';
import { type MetadataStore, migrateToLatest, openMetadataStore } from './store/db.ts';
import { reportRepo } from './store/report-repo.ts';
import type { Database } from './store/tables.ts';
import { tokenRepo } from './store/token-repo.ts';

interface Shared {
  config: Readonly<Config>;
  box: SecretBox;
  cache: DataSourceCache;
}

/** Services bound to one Kysely handle: the store itself, or a transaction for bundle imports. */
export function servicesFor(db: Kysely<Database>, { config, box, cache }: Shared) {
  const repos = {
    connections: connectionRepo(db),
    clusters: clusterRepo(db),
    reports: reportRepo(db),
    tokens: tokenRepo(db),
    audits: auditRepo(db),
  };
  const audit = auditService({ audits: repos.audits, queryAudit: config.features.has('audit') });
  const roles = {
    adminUsers: config.adminUsers,
    adminGroup: config.adminGroup,
    editorGroup: config.editorGroup,
  };
  const connections = connectionService({ ...repos, box, cache, audit });
  const clusters = clusterService({ ...repos, audit });
  const reports = reportService({ ...repos, audit });
  return {
    audit,
    connections,
    clusters,
    reports,
    tokens: tokenService({ tokens: repos.tokens, audit, roles }),
    runner: reportRunner({
      reports,
      clusters: repos.clusters,
      connections,
      audit,
      hostname: config.hostname,
    }),
  };
}

export type Services = ReturnType<typeof servicesFor>;

export interface App {
  config: Readonly<Config>;
  store: MetadataStore;
  services: Services;
  server: FastifyInstance;
  /** Runs `work` with services bound to one metadata transaction. */
  transaction<T>(work: (services: Services) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function buildApp(config: Readonly<Config>): Promise<App> {
  const store = openMetadataStore(config.databaseUrl);
  await migrateToLatest(store);
  const box = secretBox(loadOrCreateServerKey(config));
  const cache = dataSourceCache((row) => openConnectionRow(row, box));
  const shared = { config, box, cache };
  const services = servicesFor(store.db, shared);
  const transaction = <T>(work: (scoped: Services) => Promise<T>) =>
    store.db.transaction().execute((trx) => work(servicesFor(trx, shared)));
  const server = await buildServer({ config, services, store, transaction });
  return {
    config,
    store,
    services,
    server,
    transaction,
    async close() {
      await server.close();
      await cache.closeAll();
      await store.close();
    },
  };
}
