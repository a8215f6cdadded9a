import { z } from 'zod';
import {
  emailDeliverySchema,
  scheduleChangesSchema,
  scheduleInputSchema,
} from '../../services/schedule-input.ts';
import type { presentRun, ScheduleRecord } from '../../services/schedules.ts';
import { exactly } from '../envelope.ts';

export const scheduleParams = z.object({ id: z.coerce.number().int().positive().describe('Schedule id') });
export const createScheduleBody = scheduleInputSchema;
export const updateScheduleBody = scheduleChangesSchema;

/** A schedule as its owner sees it: header values and the signing secret are never returned. */
export const scheduleRecord = exactly<ScheduleRecord>()(
  z.object({
    id: z.number(),
    name: z.string(),
    report: z.string(),
    report_id: z.number(),
    owner: z.string(),
    owner_kind: z.string(),
    cron: z.string(),
    timezone: z.string(),
    params: z.record(z.string(), z.unknown()),
    deliveries: z.object({
      email: emailDeliverySchema.nullable(),
      api: z
        .object({
          url: z.string(),
          headers: z.array(z.object({ name: z.string(), has_value: z.literal(true) })),
          has_secret: z.boolean(),
        })
        .nullable(),
    }),
    active: z.boolean(),
    paused_reason: z.string().nullable(),
    last_run_at: z.string().nullable(),
    next_run_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);

/** One delivery attempt of a schedule. */
export const scheduleRunRecord = exactly<ReturnType<typeof presentRun>>()(
  z.object({
    id: z.number(),
    tick_at: z.string(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    outcome: z.string(),
    rows: z.number().nullable(),
    error: z.string().nullable(),
    deliveries: z.array(z.unknown()),
  }),
);
