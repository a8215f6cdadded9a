/**
 * MySQL / MariaDB connection settings: either a `url` or the separate address fields. The
 * password (and a URL, which may embed one) is secret.
 */
import type { PoolOptions } from 'mysql2';
import { z } from 'zod';
import type { ConfigField } from '../driver.ts';
import { connectTimeoutField, poolWaitField } from '../pool-settings.ts';
import { serverAddressFields, serverAddressSchema } from '../server-address.ts';

export const mysqlConfigSchema = serverAddressSchema(
  z
    .string()
    .regex(
      /^(mysql|mariadb):\/\/[^?#]*$/,
      'must be mysql://user:password@host:port/database without ?options',
    ),
);

export type MysqlConfig = z.infer<typeof mysqlConfigSchema>;

export const mysqlFields: ConfigField[] = [...serverAddressFields(3306), connectTimeoutField, poolWaitField];

/**
 * The address part of the mysql2 options. The URL is taken apart here rather than passed as
 * `uri`, because mysql2 copies every `?key=value` of a URI into its options — a URL could
 * otherwise switch on `multipleStatements`. The schema refuses query strings for the same reason.
 */
export function toConnectionOptions(config: MysqlConfig): PoolOptions {
  const ssl = config.ssl === 'disable' ? undefined : { rejectUnauthorized: config.ssl === 'verify-full' };
  if (!config.url) {
    const { host, database, user, password } = config;
    return { host, port: config.port ?? 3306, database, user, password, ssl };
  }
  const url = new URL(config.url);
  return {
    host: decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1')),
    port: url.port ? Number(url.port) : 3306,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    ssl,
  };
}

/** Options every connection of a report pool uses; `types.ts` depends on the value settings. */
export function toPoolOptions(config: MysqlConfig, poolSize: number, connectTimeoutMs: number): PoolOptions {
  return {
    ...toConnectionOptions(config),
    connectionLimit: poolSize,
    maxIdle: poolSize,
    idleTimeout: 60_000,
    // Only the handshake; the wait for a free connection is bounded by the driver (pool_wait_ms).
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
    charset: 'utf8mb4',
    multipleStatements: false,
    // Values arrive as text where a JS number or Date would lose digits; types.ts converts.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true, // JSON as text, parsed without rounding big integers (value-mapping.ts)
    rowsAsArray: true,
    // Each cached prepared statement holds server memory; MySQL caps them server-wide (16382).
    maxPreparedStatements: 64,
  };
}
