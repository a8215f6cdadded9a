/**
 * SQLite connection settings: the path of an existing database file. It is opened read-only;
 * the server never creates or changes it.
 */
import { z } from 'zod';
import type { ConfigField } from '../driver.ts';
import { poolSettingsShape, poolWaitField } from '../pool-settings.ts';

export const sqliteConfigSchema = z.object({
  file: z
    .string()
    .min(1)
    .refine(
      (path) => path !== ':memory:' && !path.startsWith('file:'),
      'must be the path of a database file',
    ),
  // A file has no handshake to bound; waiting for a free handle does apply.
  pool_wait_ms: poolSettingsShape.pool_wait_ms,
});

export type SqliteConfig = z.infer<typeof sqliteConfigSchema>;

export const sqliteFields: ConfigField[] = [
  { name: 'file', label: 'Database file path', required: true },
  poolWaitField,
];
