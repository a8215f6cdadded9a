import { z } from 'zod';
import type { AuditRecord } from '../../services/audit.ts';
import { exactly } from '../envelope.ts';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO 8601 date or date-time; a bare date means midnight UTC. */
const isoTime = z
  .string()
  .trim()
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
    'must be an ISO 8601 date',
  )
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be a real date');

const optionalText = z.string().trim().min(1).max(500).optional();

export const auditQuery = z.object({
  principal: optionalText,
  report: optionalText,
  action: optionalText,
  /** Inclusive. */
  from: isoTime.transform((text) => new Date(text).toISOString()).optional(),
  /** Exclusive for a date-time; a bare date includes that whole day. */
  to: isoTime
    .transform((text) => {
      const time = Date.parse(text) + (DATE_ONLY.test(text) ? DAY_MS : 0);
      return new Date(time).toISOString();
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export type AuditQuery = z.infer<typeof auditQuery>;

export const auditRecord = exactly<AuditRecord>()(
  z.object({
    at: z.string(),
    principal: z.string(),
    action: z.string(),
    report: z.string().nullable(),
    connections: z.string().nullable(),
    sql: z.string().nullable(),
    params: z.unknown(),
    row_count: z.number().nullable(),
    duration_ms: z.number().nullable(),
    outcome: z.string(),
    error: z.string().nullable(),
    client: z.string().nullable(),
    request_id: z.string().nullable(),
  }),
);
