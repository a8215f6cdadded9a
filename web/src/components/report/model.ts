/** Small helpers shared by the report page's email, schedule and comment pieces. */
import type { RequestBody } from '../../api.ts';
import type { Values } from '../FieldForm.tsx';

/** The attachment formats a schedule's email delivery takes. */
export type Attach = NonNullable<
  NonNullable<RequestBody<'/api/schedules/', 'post'>['deliveries']['email']>['attach']
>;

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
