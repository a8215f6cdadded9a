/**
 * Connections to report databases. Secret settings (those a driver marks secret) are sealed with
 * the server key and never leave this service; presenters only ever see `ConnectionView`.
 */
import { z } from 'zod';
import type { DataSource, DriverName } from '../datasources/driver.ts';
import { checkPoolSettings } from '../datasources/pool-settings.ts';
import { allowsPrivilegedUser } from '../datasources/privilege-check.ts';
import { driverNames, drivers, openDataSource } from '../datasources/registry.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { clusterRepo } from '../store/cluster-repo.ts';
import { connectionRepo, type NewConnection } from '../store/connection-repo.ts';
import type { ConnectionRow } from '../store/tables.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import {
  type PrivilegeCheck,
  presentPrivilegeCheck,
  probe,
  probeSettings,
  refuseUnlessAllowed,
} from './connection-privileges.ts';
import type { DataSourceCache } from './data-source-cache.ts';
import type { RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';
import type { SecretBox } from './server-key.ts';

export const connectionInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  driver: z.enum(driverNames),
  settings: z.record(z.string(), z.unknown()).default({}),
  active: z.boolean().default(true),
  statement_timeout_ms: z.number().int().min(100).max(3_600_000).default(30_000),
  pool_size: z.number().int().min(1).max(100).default(5),
  /** Also create a one-connection cluster of the same name (the common case). */
  create_cluster: z.boolean().default(true),
});
export type ConnectionInput = z.input<typeof connectionInputSchema>;

export interface ConnectionView {
  id: number;
  name: string;
  driver: string;
  /** Settings without secrets; `has_<secret>` tells whether a secret is stored. */
  settings: Record<string, unknown>;
  active: boolean;
  statement_timeout_ms: number;
  pool_size: number;
  /** The `allow_privileged_user` setting: a privileged database user is accepted on purpose. */
  allow_privileged_user: boolean;
  /** What the last privilege probe found (at save or test); null when it never ran. */
  privilege_check: ReturnType<typeof presentPrivilegeCheck>;
  created_at: string;
  updated_at: string;
}

interface Deps {
  db: StoreHandle;
  box: SecretBox;
  cache: DataSourceCache;
  audit: AuditService;
}

function secretNames(driver: DriverName): Set<string> {
  return new Set(drivers[driver].fields.filter((field) => field.secret).map((field) => field.name));
}

/** Opens a pool for a connection row with its secrets unsealed; used by the data-source cache. */
export function openConnectionRow(row: ConnectionRow, box: SecretBox): DataSource {
  const settings = { ...JSON.parse(row.settings_json), ...JSON.parse(box.open(row.secrets_encrypted)) };
  return openDataSource(row.driver as DriverName, settings, {
    poolSize: row.pool_size,
    statementTimeoutMs: row.statement_timeout_ms,
    name: row.name,
  });
}

export function connectionService({ db, box, cache, audit }: Deps) {
  const connections = connectionRepo(db);
  function view(row: ConnectionRow): ConnectionView {
    const settings = JSON.parse(row.settings_json) as Record<string, unknown>;
    const secrets = JSON.parse(box.open(row.secrets_encrypted)) as Record<string, unknown>;
    for (const name of Object.keys(secrets)) settings[`has_${name}`] = true;
    return {
      id: row.id,
      name: row.name,
      driver: row.driver,
      settings,
      active: row.active === 1,
      statement_timeout_ms: row.statement_timeout_ms,
      pool_size: row.pool_size,
      allow_privileged_user: allowsPrivilegedUser(settings),
      privilege_check: presentPrivilegeCheck(row.privilege_check_json),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  function split(driver: DriverName, settings: Record<string, unknown>) {
    const secret = secretNames(driver);
    const plain: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(settings)) (secret.has(key) ? secrets : plain)[key] = value;
    return { plain, secrets };
  }

  function validate(driver: DriverName, settings: Record<string, unknown>) {
    const parsed = drivers[driver].configSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(
        `Connection setting "${issue?.path.join('.') ?? '?'}" is invalid: ${issue?.message ?? ''}`,
      );
    }
  }

  /** The pooled data source of a connection row (opened on first use). */
  function dataSource(row: ConnectionRow): DataSource {
    return cache.get(row);
  }

  /** Updates or inserts the row; a new connection gets its one-connection cluster. */
  async function writeRow(
    trx: StoreHandle,
    row: NewConnection,
    existing: ConnectionRow | undefined,
    createCluster: boolean,
  ): Promise<number> {
    const rows = connectionRepo(trx);
    if (existing) {
      await rows.update(existing.id, row);
      return existing.id;
    }
    const id = await rows.insert(row);
    const clusters = clusterRepo(trx);
    if (createCluster && !(await clusters.findByName(row.name))) {
      await clusters.setMembers(await clusters.insert(row.name), [id]);
    }
    return id;
  }

  async function byName(name: string, handle = db): Promise<ConnectionRow> {
    const row = await connectionRepo(handle).findByName(name);
    if (!row) throw notFound(`No connection named "${name}"`);
    return row;
  }

  return {
    view,
    /** Connections' settings (hosts, users, privilege findings): admins only. */
    async list(ctx: RequestContext): Promise<ConnectionView[]> {
      requireAdmin(ctx);
      return (await connections.list()).map(view);
    },
    async get(ctx: RequestContext, name: string): Promise<ConnectionView> {
      requireAdmin(ctx);
      return view(await byName(name));
    },

    /** Creates, or with `replace` updates, a connection by name. Omitted secrets are kept. */
    /**
     * Creates, or with `replace` updates, a connection by name. Omitted secrets are kept. The
     * privilege probe runs first; the row, a new connection's cluster and the audit record are
     * then written in one transaction.
     */
    async save(
      ctx: RequestContext,
      raw: ConnectionInput,
      options: { replace?: boolean } & ChangeOptions = {},
    ): Promise<ConnectionView> {
      const input = connectionInputSchema.parse(raw);
      const handle = options.within ?? db;
      const existing = await connectionRepo(handle).findByName(input.name);
      if (existing && !options.replace) throw conflict(`A connection named "${input.name}" already exists`);
      const kept =
        existing && existing.driver === input.driver ? JSON.parse(box.open(existing.secrets_encrypted)) : {};
      const { plain, secrets } = split(input.driver, input.settings);
      const mergedSecrets = { ...kept, ...secrets };
      validate(input.driver, { ...plain, ...mergedSecrets });
      checkPoolSettings(plain, input.statement_timeout_ms);
      const allowPrivileged = allowsPrivilegedUser(plain);
      // Routes already require an admin; the service checks again so no other path (a bundle
      // import, a future CLI) can switch the privilege check off for a connection.
      if (allowPrivileged && !ctx.principal.isAdmin)
        throw forbidden('Only an admin may set allow_privileged_user');
      const check = await probeSettings(
        input.driver,
        { ...plain, ...mergedSecrets },
        { name: input.name, statementTimeoutMs: input.statement_timeout_ms },
      );
      refuseUnlessAllowed(input.name, check, allowPrivileged, 'bad_request');
      const row: NewConnection = {
        name: input.name,
        driver: input.driver,
        settings_json: JSON.stringify(plain),
        secrets_encrypted: box.seal(JSON.stringify(mergedSecrets)),
        active: input.active ? 1 : 0,
        statement_timeout_ms: input.statement_timeout_ms,
        pool_size: input.pool_size,
        privilege_check_json: JSON.stringify(check),
      };
      const audited = { name: input.name, driver: input.driver, settings: plain };
      const saved = await inTransaction(handle, async (trx) => {
        const id = await writeRow(trx, row, existing, input.create_cluster);
        await audit.on(trx).adminChange(ctx, existing ? 'connection.update' : 'connection.create', {
          ...audited,
          ...auditedPrivileges(allowPrivileged, check),
        });
        return connectionRepo(trx).findById(id);
      });
      if (!saved) throw new AppError('internal', 'The connection vanished while saving');
      return view(saved);
    },

    async delete(ctx: RequestContext, name: string): Promise<void> {
      const row = await inTransaction(db, async (trx) => {
        const found = await byName(name, trx);
        await connectionRepo(trx).delete(found.id);
        await audit.on(trx).adminChange(ctx, 'connection.delete', { name });
        return found;
      });
      // After the commit: a pool closed for a delete that rolled back would only reopen.
      await cache.forget(row.id);
    },

    /**
     * Probes the stored settings' privileges (recorded on the row), refuses a privileged user the
     * connection does not allow, then connects and runs a trivial query.
     */
    async test(ctx: RequestContext, name: string): Promise<void> {
      requireAdmin(ctx);
      const row = await byName(name);
      const source = dataSource(row);
      const check = await probe(source);
      await connections.recordPrivilegeCheck(row.id, JSON.stringify(check));
      refuseUnlessAllowed(row.name, check, allowsPrivilegedUser(JSON.parse(row.settings_json)), 'forbidden');
      await source.test();
    },

    dataSource,
  };
}

/** What a connection's audit record says about the privilege check: set flags and findings only. */
function auditedPrivileges(allowed: boolean, check: PrivilegeCheck): Record<string, unknown> {
  return {
    ...(allowed ? { allow_privileged_user: true } : {}),
    ...(check.findings.length > 0 ? { privileges_found: check.findings } : {}),
  };
}

export type ConnectionService = ReturnType<typeof connectionService>;
