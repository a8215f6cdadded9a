/**
 * What the route files share: the server type whose routes are typed by their zod schemas, the
 * loose bodies of report-parameter routes, how a schema's complaint becomes a 400, and the abort
 * signal of a run whose client leaves.
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

/** The abort signal of a request, made when first asked for. */
export interface ClientDeparture {
  /** Aborted when the client goes away before the answer is complete: cancels running statements. */
  readonly signal: AbortSignal;
}

/**
 * Watches for the client leaving early. The close listener is all a request pays for; the
 * AbortController exists only once something reads `signal`, and a signal first read after the
 * client left is made already aborted, so a late reader still stops.
 */
export function departureOf(reply: FastifyReply): ClientDeparture {
  let controller: AbortController | undefined;
  let left = false;
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) return;
    left = true;
    controller?.abort();
  });
  return {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (left) controller.abort();
      }
      return controller.signal;
    },
  };
}
