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
