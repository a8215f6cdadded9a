/**
 * What a schedule is made of, validated once for the API and the service: the timetable (a cron
 * expression or a preset, read in an IANA time zone), parameter values and deliveries.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { badRequest } from '../errors.ts';

/** Presets are the classic cron nicknames (`@hourly` …), stored expanded. */
export const cronPresets: Record<string, string> = {
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 0',
  monthly: '0 0 1 * *',
};

const headerName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const emailDeliverySchema = z.object({
  to: z
    .array(z.email('each recipient must be an email address'))
    .min(1, 'give at least one recipient')
    .max(50),
  attach: z.enum(['csv', 'xlsx']).nullable().optional(),
  skipIfEmpty: z.boolean().optional(),
});

export const apiDeliverySchema = z.object({
  url: z.string().trim().min(1, 'give the target URL'),
  headers: z
    .record(
      z.string().regex(headerName, 'a header name has characters HTTP does not allow'),
      z.string().max(4096),
    )
    .optional(),
  /** HMAC key; omitted on update keeps the stored one, null removes it. */
  secret: z.string().min(16, 'the signing secret must be at least 16 characters').nullable().optional(),
});

export const deliveriesSchema = z
  .object({ email: emailDeliverySchema.optional(), api: apiDeliverySchema.optional() })
  .refine((value) => value.email || value.api, 'give at least one delivery: email or api');

const scheduleFields = {
  /** Report id or slug. */
  report: z.union([z.string().min(1), z.number().int().positive()]),
  name: z.string().trim().min(1).max(200),
  cron: z.string().trim().min(1, 'give a cron expression or a preset (hourly, daily, weekly, monthly)'),
  timezone: z.string().trim().min(1),
  params: z.record(z.string(), z.unknown()),
  deliveries: deliveriesSchema,
  active: z.boolean(),
};

export const scheduleInputSchema = z.object({
  ...scheduleFields,
  name: scheduleFields.name.optional(),
  timezone: scheduleFields.timezone.default('UTC'),
  params: scheduleFields.params.default({}),
  active: scheduleFields.active.default(true),
});
export const scheduleChangesSchema = z.object(scheduleFields).partial();

export type ScheduleInput = z.infer<typeof scheduleInputSchema>;
export type ScheduleChanges = z.infer<typeof scheduleChangesSchema>;
export type Deliveries = z.infer<typeof deliveriesSchema>;

export function checkTimeZone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw badRequest(`timezone: "${timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`);
  }
}

/**
 * Expands a preset and checks the expression with croner. `minuteOnly` refuses the 6-field form
 * (seconds), which the PostgreSQL job engine cannot keep.
 */
export function checkCron(expression: string, timezone: string, minuteOnly: boolean): string {
  const cron = cronPresets[expression.toLowerCase()] ?? expression;
  try {
    new Cron(cron, { paused: true, timezone }).stop();
  } catch (error) {
    throw badRequest(`cron: "${expression}" is not a valid cron expression (${(error as Error).message})`);
  }
  if (minuteOnly && cron.split(/\s+/).length > 5) {
    throw badRequest(
      'cron: on a PostgreSQL metadata store schedules run at most once a minute; use 5 fields',
    );
  }
  return cron;
}

/** The next time the expression fires after `after`, as ISO text, or null if it never does. */
export function nextRunOf(cron: string, timezone: string, after = new Date()): string | null {
  const job = new Cron(cron, { paused: true, timezone });
  const next = job.nextRun(after);
  job.stop();
  return next ? next.toISOString() : null;
}

/** Mail from schedules goes, as from /report/mail, to the owner or the allowed domains only. */
export function checkRecipients(
  to: readonly string[],
  ownerEmail: string | null,
  domains: readonly string[],
) {
  for (const address of to) {
    const lower = address.toLowerCase();
    const domain = lower.slice(lower.lastIndexOf('@') + 1);
    if (lower !== ownerEmail?.toLowerCase() && !domains.includes(domain)) {
      throw badRequest(
        `deliveries.email.to: "${address}" is neither the owner's address nor in an allowed mail domain (CUSTOM_MAIL_DOMAINS)`,
      );
    }
  }
}
