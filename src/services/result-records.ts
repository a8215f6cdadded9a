/**
 * Rows → records, as the JSON API, previews, templates and API-target bodies all answer them:
 * one helper for every layer that turns result rows into objects keyed by column name.
 */
import type { JsonValue } from '../datasources/driver.ts';

type Row = readonly JsonValue[];

/** Rows as objects keyed by column name; a later column of the same name wins, as in SQL clients. */
export function recordMaker(columns: readonly { name: string }[]) {
  const names = columns.map((column) => column.name);
  return (row: Row) => {
    const record: Record<string, JsonValue> = {};
    for (let i = 0; i < names.length; i++) record[names[i]!] = row[i] ?? null;
    return record;
  };
}

/**
 * Names whose record keys keep column order and meaning: integer-like names would move to the
 * front of an object, `__proto__` is not an own key, and a repeated name keeps its first place
 * with its last value. Records with such names are built as objects, so the text never differs.
 */
const plainNames = (names: readonly string[]) =>
  new Set(names).size === names.length && names.every((name) => name !== '__proto__' && !/^\d+$/.test(name));

/**
 * What JSON.stringify escapes in a string: quote, backslash, control characters, and lone
 * surrogates (written as `\u` escapes). Paired surrogates match too and are left to it as well.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON text; one JSON.stringify call per short string costs ten times this test. */
const jsonString = (text: string) => (JSON_ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`);

/** One value as JSON text, as JSON.stringify writes it inside a record (a missing cell is null). */
function jsonOf(value: JsonValue | undefined): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : JSON.stringify(value);
    default:
      return 'null';
  }
}

/**
 * Rows as the JSON text of their records, byte for byte what JSON.stringify gives for
 * `recordsOf(columns, rows)`, written straight from the rows (an object per row, walked again by
 * JSON.stringify, cost more than reading the rows from the database). Records are joined by
 * `,` (the inside of a JSON array), or with `terminator` each is followed by it (NDJSON: `\n`).
 */
export function recordsJson(columns: readonly { name: string }[], terminator?: string) {
  const names = columns.map((column) => column.name);
  const between = terminator === undefined ? ',' : '';
  const after = terminator ?? '';
  if (!plainNames(names)) {
    const record = recordMaker(columns);
    return (rows: readonly Row[]) => rows.map((row) => JSON.stringify(record(row)) + after).join(between);
  }
  const keys = names.map((name, i) => `${i === 0 ? '' : ','}${JSON.stringify(name)}:`);
  const rowStart = `${between}{`;
  const rowEnd = `}${after}`;
  return (rows: readonly Row[]) => {
    let out = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as Row;
      // Appending piece by piece: a `a + b` first would make one more string per piece.
      out += r === 0 ? '{' : rowStart;
      for (let i = 0; i < keys.length; i++) {
        out += keys[i];
        out += jsonOf(row[i]);
      }
      out += rowEnd;
    }
    return out;
  };
}

/** Rows of one table as records. */
export const recordsOf = (columns: readonly { name: string }[], rows: readonly Row[]) =>
  rows.map(recordMaker(columns));

/**
 * A row stream read into records. With `limit`, reading stops (and so the statement) once there
 * are more rows than that; `cut` tells whether rows were left out.
 */
export async function collectRecords(
  columns: readonly { name: string }[],
  stream: AsyncIterable<JsonValue[][]>,
  limit = Number.POSITIVE_INFINITY,
) {
  const rows: JsonValue[][] = [];
  for await (const batch of stream) {
    rows.push(...batch.slice(0, limit + 1 - rows.length));
    if (rows.length > limit) break;
  }
  return { records: recordsOf(columns, rows.slice(0, limit)), cut: rows.length > limit };
}
