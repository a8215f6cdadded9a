/**
 * The connection settings shared by drivers of network databases: a `url`, or host, port,
 * database, user and password, with a TLS mode. The password and the URL (which may embed one)
 * are secret: stored encrypted, never sent back.
 */
import { z } from 'zod';
import type { ConfigField } from './driver.ts';
import { poolSettingsShape } from './pool-settings.ts';
import { allowPrivilegedField, allowPrivilegedShape } from './privilege-check.ts';

export const tlsModes = ['disable', 'require', 'verify-full'] as const;

export function serverAddressSchema(url: z.ZodString) {
  return z
    .object({
      url: url.optional(),
      host: z.string().min(1).optional(),
      port: z.coerce.number().int().min(1).max(65535).optional(),
      database: z.string().min(1).optional(),
      user: z.string().min(1).optional(),
      password: z.string().optional(),
      ssl: z.enum(tlsModes).default('disable'),
      ...poolSettingsShape,
      ...allowPrivilegedShape,
    })
    .refine((c) => c.url !== undefined || c.host !== undefined, {
      message: 'give either a url or a host',
      path: ['host'],
    });
}

export function serverAddressFields(defaultPort: number): ConfigField[] {
  return [
    { name: 'url', label: 'URL (instead of the fields below)', secret: true },
    { name: 'host', label: 'Host' },
    { name: 'port', label: `Port (${defaultPort})` },
    { name: 'database', label: 'Database' },
    { name: 'user', label: 'User' },
    { name: 'password', label: 'Password', secret: true },
    { name: 'ssl', label: 'TLS: disable, require, or verify-full' },
    allowPrivilegedField,
  ];
}
