/**
 * What the route files share: the server type whose routes are typed by their zod schemas, the
 * loose bodies of report-parameter routes, how a schema's complaint becomes a 400, the abort
 * signal of a run whose client leaves, and rows → records.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifySchemaValidationError,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { SchemaErrorFormatter } from 'fastify/types/schema.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JsonValue } from '../datasources/driver.ts';
import { badRequest } from '../errors.ts';

/** The server as route files see it: `request.body`, `params` and `query` typed from the schemas. */
export type ApiServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** `/a/0/b` (the provider's JSON pointer of a zod issue path) → `a.0.b`, as zod paths read. */
const pathOf = (error: FastifySchemaValidationError) => error.instancePath.split('/').slice(1).join('.');

/**
 * The first complaint as `"<field>" is invalid: <zod message>` (the wording the services use);
 * `prefix` names what the field belongs to, e.g. `Report field` for a report body.
 */
export function invalidInput(prefix = ''): SchemaErrorFormatter {
  return (errors) => {
    const first = errors[0];
    // A complaint about the whole value (no path) reads as one about the body, as it always has.
    const field = (first && pathOf(first)) || (prefix ? '' : 'body');
    const lead = prefix ? `${prefix} ` : '';
    return badRequest(`${lead}"${field}" is invalid: ${first?.message ?? ''}`);
  };
}

/**
 * Report parameters (`_name` values) in a form or JSON body. Any names, so the schema only
 * documents; the routes read it with `requestParams`, which also takes GET bodies and text.
 */
export const reportParamsBody = z.unknown().meta({
  type: 'object',
  additionalProperties: true,
  description: 'Report parameters named like the bind variables, e.g. `{"_from": "2024-01-01"}`',
});

/** The `:report` path segment of every report route. */
export const reportRef = z
  .string()
  .min(1)
  .describe('Report id (number) or name in slug format, e.g. `gst-balance`');

/** `{ name }` path parameters, described as the name of `what`. */
export const nameParams = (what: string) =>
  z.object({ name: z.string().min(1).describe(`Name of the ${what}`) });

/** Schema keys of a route that takes report parameters in a form or JSON body. */
export const reportParamsInput = {
  consumes: ['application/json', 'application/x-www-form-urlencoded'],
  body: reportParamsBody,
};

/** A result row as a record keyed by column name (or, for a panel, `{title, records}`). */
export const rowRecord = z
  .record(z.string(), z.unknown())
  .describe('A row keyed by column name; for a panel report, `{"title": …, "records": [rows]}`');

/** Aborted when the client goes away before the answer is complete: cancels running statements. */
export function abortedOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

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
