/**
 * PostgreSQL connection settings: either a `url` or the separate address fields. The password
 * (and a URL, which may embed one) is secret: stored encrypted, never sent back to a browser.
 */
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import type { ConfigField } from '../driver.ts';
import { connectTimeoutField, poolWaitField } from '../pool-settings.ts';
import { serverAddressFields, serverAddressSchema } from '../server-address.ts';

export const postgresConfigSchema = serverAddressSchema(
  z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
);

export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

export const postgresFields: ConfigField[] = [
  ...serverAddressFields(5432),
  connectTimeoutField,
  poolWaitField,
];

/**
 * The node-postgres pool settings for a validated config. The pool's `connectionTimeoutMillis`
 * bounds the wait for a free connection; the handshake has its own, usually shorter, bound that
 * the driver sets on each client.
 */
export function toPoolConfig(config: PostgresConfig, poolSize: number, poolWaitMs: number): PoolConfig {
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
    connectionTimeoutMillis: poolWaitMs,
    idleTimeoutMillis: 30_000,
    application_name: 'secure-reporter',
  };
}
