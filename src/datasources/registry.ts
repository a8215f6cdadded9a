/**
 * The one place a driver is chosen by name, and the one list of driver names: `DriverName`, the
 * zod enums that validate a connection's `driver`, and the dialect table (src/sql/dialects.ts)
 * all derive from the modules registered here. Adding a module adds its name everywhere; the
 * dialect table then fails to compile until the new driver has its row, so no feature needs a
 * switch.
 */
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { DataSource, DriverModule, DriverName, OpenOptions } from './driver.ts';
import { mysqlDriver } from './mysql/driver.ts';
import { withPoolSettings } from './pool-settings.ts';
import { postgresDriver } from './postgres/driver.ts';
import { allowsPrivilegedUser, guardPrivileges } from './privilege-check.ts';
import { sqliteDriver } from './sqlite/driver.ts';

const modules = {
  postgres: postgresDriver,
  mysql: mysqlDriver,
  sqlite: sqliteDriver,
};

/** The name of a registered driver; also its SQL dialect's key in src/sql/dialects.ts. */
export type RegisteredDriverName = keyof typeof modules;

// biome-ignore lint/suspicious/noExplicitAny: each module has its own config type; callers go through openDataSource.
export const drivers: Record<DriverName, DriverModule<any>> = modules;

/** Every registered driver name, in registration order; a non-empty tuple, as `z.enum` wants. */
export const driverNames = Object.keys(drivers) as [DriverName, ...DriverName[]];

/**
 * Validates raw connection settings with the driver's schema and opens a pool, guarded by the
 * privilege check (privilege-check.ts) so no caller can forget it.
 * @throws AppError `bad_request` naming the first bad field (its value is never echoed: it may be a secret).
 */
export function openDataSource(driver: DriverName, rawConfig: unknown, options: OpenOptions): DataSource {
  const module = drivers[driver];
  if (!module) throw new AppError('bad_request', `Unknown database driver "${String(driver)}"`);
  const parsed = module.configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new AppError('bad_request', describeIssue(driver, parsed.error));
  const source = module.open(parsed.data, withPoolSettings(options, parsed.data as object));
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
