/**
 * PostgreSQL connection settings: either a `url` or the separate address fields. The password
 * (and a URL, which may embed one) is secret: stored encrypted, never sent back to a browser.
 */
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import type { ConfigField } from '../driver.ts';

export const postgresConfigSchema = z
  .object({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  })
  .refine((c) => c.url !== undefined || c.host !== undefined, {
    message: 'give either a url or a host',
    path: ['host'],
  });

export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

export const postgresFields: ConfigField[] = [
  { name: 'url', label: 'URL (instead of the fields below)', secret: true },
  { name: 'host', label: 'Host' },
  { name: 'port', label: 'Port (5432)' },
  { name: 'database', label: 'Database' },
  { name: 'user', label: 'User' },
  { name: 'password', label: 'Password', secret: true },
  { name: 'ssl', label: 'TLS: disable, require, or verify-full' },
];

/** The node-postgres pool settings for a validated config. */
export function toPoolConfig(config: PostgresConfig, poolSize: number): PoolConfig {
  // `require` encrypts without checking the certificate, as libpq's sslmode=require does.
  const ssl =
    config.ssl === 'disable' ? false : config.ssl === 'require' ? { rejectUnauthorized: false } : true;
  const address = config.url
    ? { connectionString: config.url }
    : {
        host: config.host,
        port: config.port ?? 5432,
        database: config.database,
        user: config.user,
        password: config.password,
      };
  return {
    ...address,
    ssl,
    max: poolSize,
    // Bounds both the TCP/auth handshake and the wait for a free pooled connection.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'secure-reporter',
  };
}
