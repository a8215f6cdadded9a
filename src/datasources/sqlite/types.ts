/**
 * SQLite value mapping (SPEC §4.7). SQLite stores only NULL, INTEGER, REAL, TEXT and BLOB, so
 * dates, decimals, booleans and JSON are recognised by the column's *declared* type (as in
 * `CREATE TABLE t (d DATE, amount DECIMAL(12,2), ok BOOLEAN, doc JSON)`), the same way SQLite
 * itself derives a column's affinity from it. Expressions have no declared type and map by value.
 *
 * Integers arrive as bigint (statements run in `safeIntegers` mode) so values beyond 2^53 keep
 * every digit.
 */
import type { JsonValue } from '../driver.ts';
import {
  binaryToJson,
  decimalFromText,
  floatToJson,
  integerFromBigInt,
  jsonFromText,
  timestampFromText,
  timestampTzFromText,
} from '../value-mapping.ts';

type Mapper = (value: unknown) => JsonValue;

/** By storage class: what every column falls back to. */
const byValue: Mapper = (value) => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return integerFromBigInt(value);
  if (typeof value === 'number') return floatToJson(value);
  if (Buffer.isBuffer(value)) return binaryToJson(value);
  return value as JsonValue;
};

const whenText =
  (convert: (text: string) => JsonValue): Mapper =>
  (value) =>
    typeof value === 'string' ? convert(value) : byValue(value);

const asBoolean: Mapper = (value) =>
  typeof value === 'bigint' || typeof value === 'number' ? Number(value) !== 0 : byValue(value);

/** Text timestamps keep a written offset (`Z` becomes `+00:00`); plain ones get six fraction digits. */
const asTimestamp = whenText((text) =>
  /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? timestampTzFromText(text, false) : timestampFromText(text),
);

/** Declared-type patterns, tested in order; the first match decides. */
const rules: Array<[RegExp, Mapper]> = [
  [/BOOL/, asBoolean],
  [/JSON/, whenText(jsonFromText)],
  [/DATETIME|TIMESTAMP/, asTimestamp],
  [/DECIMAL|NUMERIC/, whenText(decimalFromText)],
];

/** The converter for a column with this declared type (`null` for expressions). */
export function mapperFor(declaredType: string | null): Mapper {
  const upper = declaredType?.toUpperCase() ?? '';
  return rules.find(([pattern]) => pattern.test(upper))?.[1] ?? byValue;
}

/** The declared type in lower case, or `unknown` for expressions. */
export function columnType(declaredType: string | null): string {
  return declaredType ? declaredType.toLowerCase() : 'unknown';
}
