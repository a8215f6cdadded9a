import { z } from 'zod';
import { type ConnectionView, connectionInputSchema } from '../../services/connections.ts';
import { exactly } from '../envelope.ts';
import { nameParams } from '../route-kit.ts';

export const connectionParams = nameParams('connection');
export const createConnectionBody = connectionInputSchema;
/** The path names the connection; a `name` in the body is overridden by it. */
export const replaceConnectionBody = connectionInputSchema.omit({ name: true });

/** A connection without secrets; `settings.has_<secret>` says whether a secret is stored. */
export const connectionRecord = exactly<ConnectionView>()(
  z.object({
    id: z.number(),
    name: z.string(),
    driver: z.string(),
    settings: z.record(z.string(), z.unknown()),
    active: z.boolean(),
    statement_timeout_ms: z.number(),
    pool_size: z.number(),
    allow_privileged_user: z.boolean(),
    privilege_check: z
      .object({
        checked_at: z.string(),
        findings: z.array(z.string()),
        error: z.string().optional(),
        privileged: z.boolean(),
      })
      .nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);
