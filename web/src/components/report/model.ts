/** Shapes and small helpers shared by the report page's email, schedule and comment pieces. */

import type { RequestBody } from '../../api.ts';
import type { Values } from '../FieldForm.tsx';

/** The attachment formats a schedule's email delivery takes. */
export type Attach = NonNullable<
  NonNullable<RequestBody<'/api/schedules/', 'post'>['deliveries']['email']>['attach']
>;

export interface EmailDelivery {
  to: string[];
  attach?: Attach | null;
  skipIfEmpty?: boolean;
}

export interface ApiDelivery {
  url: string;
  /** Header names only: values are sealed at rest and never returned. */
  headers: Array<{ name: string; has_value: boolean }>;
  has_secret: boolean;
}

export interface Schedule {
  id: number;
  name: string;
  report: string;
  owner: string | null;
  cron: string;
  timezone: string;
  params: Record<string, unknown>;
  deliveries: { email: EmailDelivery | null; api: ApiDelivery | null };
  active: boolean;
  paused_reason: string | null;
  last_run_at: string | null;
  next_run_at: string | null;
}

export interface DeliveryResult {
  kind: 'email' | 'api';
  ok: boolean;
  detail: Record<string, unknown>;
  error: string | null;
}

export interface ScheduleRun {
  id: number;
  tick_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string;
  rows: number | null;
  error: string | null;
  deliveries: DeliveryResult[];
}

export interface Comment {
  id: number;
  author: string;
  body: string;
  created_at: string;
  updated_at: string;
  edited: boolean;
}

const filled = (value: unknown) => value !== null && value !== undefined && value !== '';

/** The parameter values worth sending: empty ones are left out so they take their defaults. */
export function filledParams(values: Values): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => filled(value) && !(Array.isArray(value) && !value.length)),
  );
}

/**
 * Parameter values as URL-encoded form data (the server reads report parameters from urlencoded
 * or JSON bodies, not multipart); lists repeat the name, as in a query string.
 */
export function paramsFormData(values: Values): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(filledParams(values))) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
  }
  return form;
}

/** A UTC timestamp from the API in the reader's own time zone; "—" when there is none. */
export function localTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}
