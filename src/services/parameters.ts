/**
 * Turns request values into typed bind values (SPEC §4.3). Every error names the field so a
 * caller can act on it; nothing from the request reaches SQL text, only bind values.
 */
import type { BindValue } from '../datasources/driver.ts';
import { badRequest } from '../errors.ts';
import type { FieldDefinition } from './report-model.ts';

export type ParamValue = BindValue | BindValue[];
/** What arrives from a query string, form or JSON body. */
export type RawParams = Record<string, unknown>;
export type ChoiceLoader = (field: FieldDefinition) => Promise<Array<{ value: unknown; label: string }>>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/;
/**
 * `integer` fields take signed 64-bit values: PostgreSQL's bigint, MariaDB's BIGINT and SQLite's
 * INTEGER all hold them. Beyond JavaScript's safe integers they bind as BigInt, never rounded.
 */
export const INTEGER_MIN = -(2n ** 63n);
export const INTEGER_MAX = 2n ** 63n - 1n;
/** Digits beyond the longest 64-bit value are out of range without asking BigInt to read them. */
const INTEGER_MAX_DIGITS = 19;
const TRUE = new Set(['true', '1', 'yes', 'y', 'on', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off', 'f']);

function isRealDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Coerces one scalar by field type, or throws naming the field. */
export function coerceScalar(field: Pick<FieldDefinition, 'name' | 'type'>, value: unknown): BindValue {
  // Text keeps its spaces as sent; typed values may arrive padded from forms.
  const text =
    typeof value === 'string' && field.type !== 'text' && field.type !== 'select' ? value.trim() : value;
  const fail = (expected: string) =>
    badRequest(`Parameter "${field.name}" must be ${expected}; got ${JSON.stringify(value)?.slice(0, 60)}`);
  switch (field.type) {
    case 'integer': {
      // A JSON number past 2^53 was already rounded by JSON.parse; only its digits as text are exact.
      if (typeof text === 'number' && Number.isInteger(text) && !Number.isSafeInteger(text))
        throw fail('an integer; send integers beyond ±2^53 as a string of digits');
      const digits = typeof text === 'number' ? String(text) : text;
      if (typeof digits !== 'string' || !/^[-+]?\d+$/.test(digits)) throw fail('an integer');
      const significant = digits.replace(/^[-+]?0*/, '');
      const big = significant.length > INTEGER_MAX_DIGITS ? undefined : BigInt(digits);
      if (big === undefined || big < INTEGER_MIN || big > INTEGER_MAX)
        throw fail(`an integer from ${INTEGER_MIN} to ${INTEGER_MAX}`);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    case 'number': {
      const number =
        typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : Number.NaN;
      if (!Number.isFinite(number)) throw fail('a number');
      return number;
    }
    case 'boolean': {
      if (typeof text === 'boolean') return text;
      const word = String(text).toLowerCase();
      if (TRUE.has(word)) return true;
      if (FALSE.has(word)) return false;
      throw fail('true or false');
    }
    case 'date':
      if (typeof text !== 'string' || !isRealDate(text)) throw fail('a date as YYYY-MM-DD');
      return text;
    case 'datetime': {
      const match = typeof text === 'string' ? DATETIME.exec(text) : null;
      if (!match || !isRealDate(match[1] ?? ''))
        throw fail('a date and time as YYYY-MM-DD HH:MM[:SS[.ffffff]]');
      const [, day, hour, minute, second = '00', fraction = ''] = match;
      if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) throw fail('a valid time of day');
      return `${day} ${hour}:${minute}:${second}${fraction}`;
    }
    default:
      if (typeof text === 'object' && text !== null) throw fail('text');
      return String(text);
  }
}

/**
 * Checks every value against the field's choices and returns each as its choice's own value, so
 * a choice that is a number (a static `{ "value": 3 }`, or an integer column in the choices SQL)
 * binds as a number, not as the text the query string carried.
 */
async function matchChoices(
  field: FieldDefinition,
  values: BindValue[],
  loadChoices: ChoiceLoader,
): Promise<BindValue[]> {
  const byText = new Map<string, BindValue>();
  for (const choice of await loadChoices(field)) {
    const key = String(choice.value);
    if (!byText.has(key)) byText.set(key, choiceValue(choice.value, key));
  }
  return values.map((value) => {
    const text = String(value);
    if (!byText.has(text)) {
      throw badRequest(
        `Parameter "${field.name}": ${JSON.stringify(value)?.slice(0, 60)} is not one of its choices`,
      );
    }
    return byText.get(text) ?? null;
  });
}

/** Numbers and booleans keep their type; anything else (text, a database's big integer text) binds as text. */
function choiceValue(value: unknown, text: string): BindValue {
  return typeof value === 'number' || typeof value === 'boolean' ? value : text;
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/**
 * Coerces the declared fields. Undeclared names that the SQL binds (`extraBindNames`) pass as text,
 * so a report without field definitions still takes `?_value=…` as the help text shows.
 */
export async function coerceParameters(
  fields: FieldDefinition[],
  raw: RawParams,
  extraBindNames: string[],
  loadChoices: ChoiceLoader,
): Promise<Record<string, ParamValue>> {
  const result: Record<string, ParamValue> = {};
  for (const field of fields) {
    let value = raw[field.name];
    if (isMissing(value)) value = field.default ?? undefined;
    if (isMissing(value)) {
      if (field.required)
        throw badRequest(`Parameter "${field.name}" (${field.label || field.name}) is required`);
      result[field.name] = field.type === 'multiselect' ? [] : null;
      continue;
    }
    // Only a multiselect binds a list; a list for any other field would reach the SQL as several
    // placeholders where one value belongs (`= ?, ?`), which the database refuses in its own words.
    if (Array.isArray(value) && field.type !== 'multiselect') {
      throw badRequest(
        `Parameter "${field.name}" takes one value, not a list of ${value.length}; only a multiselect takes several`,
      );
    }
    const list = field.type === 'multiselect';
    let items = (Array.isArray(value) ? value : [value]).map((item) => coerceScalar(field, item));
    if (field.type === 'select' || field.type === 'multiselect')
      items = await matchChoices(field, items, loadChoices);
    result[field.name] = list ? items : (items[0] ?? null);
  }
  for (const name of extraBindNames) {
    if (name in result) continue;
    const value = raw[name];
    if (isMissing(value)) result[name] = null;
    else if (Array.isArray(value))
      result[name] = value.map((item) => coerceScalar({ name, type: 'text' }, item));
    else result[name] = coerceScalar({ name, type: 'text' }, value);
  }
  return result;
}

/**
 * The values as the drivers bind them. Integers travel as bigint because a JS number cannot say
 * whether it is an integer: better-sqlite3 binds every number as REAL (`:_i / 2` with 5 would be
 * 2.5) and mysql2 as DOUBLE. That covers `integer` fields and the integral numbers a select took
 * from its choices. Templates keep the numbers of `coerceParameters`, so `{{ _page * 10 }}`
 * still works (a bigint refuses to mix with numbers in arithmetic).
 */
export function bindValues(
  fields: readonly Pick<FieldDefinition, 'name' | 'type'>[],
  params: Record<string, ParamValue>,
): Record<string, ParamValue> {
  const result = { ...params };
  for (const field of fields) {
    const value = result[field.name];
    if (value === undefined || !INTEGRAL_TYPES.has(field.type)) continue;
    result[field.name] = Array.isArray(value) ? value.map(asInteger) : asInteger(value);
  }
  return result;
}

const INTEGRAL_TYPES = new Set(['integer', 'select', 'multiselect']);

function asInteger(value: BindValue): BindValue {
  return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
}
