/**
 * The one place a driver is chosen by name, and the one list of driver names: `DriverName`, the
 * zod enums that validate a connection's `driver`, and the dialect table (src/sql/dialects.ts)
 * all derive from the drivers registered here. Adding one adds its name everywhere; the dialect
 * table then fails to compile until the new driver has its row, so no feature needs a switch.
 *
 * What validation and forms need (name, dialect, settings schema, fields) is here from the start;
 * a driver's module, which loads its npm driver (mysql2, pg and pg-cursor: hundreds of files),
 * is imported with the first pool of that driver, so a server that never uses MySQL never loads
 * mysql2.
 */
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { deferredSource } from './deferred-source.ts';
import type { DataSource, DriverModule, DriverName, OpenOptions } from './driver.ts';
import { mysqlConfigSchema, mysqlFields } from './mysql/config.ts';
import { withPoolSettings } from './pool-settings.ts';
import { postgresConfigSchema, postgresFields } from './postgres/config.ts';
import { allowsPrivilegedUser, guardPrivileges } from './privilege-check.ts';
import { sqliteConfigSchema, sqliteFields } from './sqlite/config.ts';

/** A driver as validation and forms see it: its module without `open`, plus how to load it. */
export interface RegisteredDriver<Config = unknown> extends Omit<DriverModule<Config>, 'open'> {
  load(): Promise<DriverModule<Config>>;
}

const modules = {
  postgres: {
    name: 'postgres',
    dialect: 'postgres',
    configSchema: postgresConfigSchema,
    fields: postgresFields,
    load: async () => (await import('./postgres/driver.ts')).postgresDriver,
  },
  mysql: {
    name: 'mysql',
    dialect: 'mysql',
    configSchema: mysqlConfigSchema,
    fields: mysqlFields,
    load: async () => (await import('./mysql/driver.ts')).mysqlDriver,
  },
  sqlite: {
    name: 'sqlite',
    dialect: 'sqlite',
    configSchema: sqliteConfigSchema,
    fields: sqliteFields,
    load: async () => (await import('./sqlite/driver.ts')).sqliteDriver,
  },
} as const;

/** The name of a registered driver; also its SQL dialect's key in src/sql/dialects.ts. */
export type RegisteredDriverName = keyof typeof modules;

// biome-ignore lint/suspicious/noExplicitAny: each driver has its own config type; callers go through openDataSource.
export const drivers: Record<DriverName, RegisteredDriver<any>> = modules;

/** Every registered driver name, in registration order; a non-empty tuple, as `z.enum` wants. */
export const driverNames = Object.keys(drivers) as [DriverName, ...DriverName[]];

// biome-ignore lint/suspicious/noExplicitAny: as for `drivers`.
const loaded = new Map<DriverName, DriverModule<any>>();
// biome-ignore lint/suspicious/noExplicitAny: as for `drivers`.
const loading = new Map<DriverName, Promise<DriverModule<any>>>();

/** The driver's module, imported once; a failed import is tried again by the next caller. */
// biome-ignore lint/suspicious/noExplicitAny: as for `drivers`.
export function loadDriver(driver: DriverName): Promise<DriverModule<any>> {
  let pending = loading.get(driver);
  if (!pending) {
    pending = drivers[driver].load().then(
      (module) => {
        loaded.set(driver, module);
        return module;
      },
      (error: unknown) => {
        loading.delete(driver);
        throw error;
      },
    );
    loading.set(driver, pending);
  }
  return pending;
}

/**
 * Validates raw connection settings with the driver's schema and opens a pool, guarded by the
 * privilege check (privilege-check.ts) so no caller can forget it. Opening connects nothing; the
 * first pool of a driver whose module is not loaded yet waits for it on its first call.
 * @throws AppError `bad_request` naming the first bad field (its value is never echoed: it may be a secret).
 */
export function openDataSource(driver: DriverName, rawConfig: unknown, options: OpenOptions): DataSource {
  const registered = drivers[driver];
  if (!registered) throw new AppError('bad_request', `Unknown database driver "${String(driver)}"`);
  const parsed = registered.configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new AppError('bad_request', describeIssue(driver, parsed.error));
  const settings = withPoolSettings(options, parsed.data as object);
  const module = loaded.get(driver);
  const source = module
    ? module.open(parsed.data, settings)
    : deferredSource(
        driver,
        loadDriver(driver).then((ready) => ready.open(parsed.data, settings)),
      );
  return guardPrivileges(source, {
    name: options.name,
    allowPrivilegedUser: allowsPrivilegedUser(parsed.data),
  });
}

function describeIssue(driver: DriverName, error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'settings';
  return `Invalid ${driver} connection setting "${field}": ${issue?.message ?? 'invalid value'}`;
}
