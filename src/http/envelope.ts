/** The report API's answer shape (SPEC §6): `{message, ok, records}`, as a type and as schemas. */
import { z } from 'zod';

export interface Envelope<T = unknown> {
  message: string;
  ok: boolean;
  records: T[];
}

export const okEnvelope = <T>(records: T[], message = ''): Envelope<T> => ({ message, ok: true, records });
export const errorEnvelope = (message: string): Envelope<never> => ({ message, ok: false, records: [] });

/** The envelope whose records are `record`s: what a JSON route answers and documents. */
export const envelopeOf = <R extends z.ZodType>(record: R) =>
  z.object({ message: z.string(), ok: z.boolean(), records: z.array(record) });

/** Every failure: the message says what went wrong, `records` is empty. */
export const failureEnvelope = z
  .object({ message: z.string(), ok: z.literal(false), records: z.array(z.never()) })
  .describe('The request failed; `message` says why');

/** An answer with no records (a delete, a test). */
export const emptyRecord = z.never();

const failures = { '4xx': failureEnvelope, '5xx': failureEnvelope };

/**
 * The `response` of a JSON route: its envelope (200), the failure envelope for 4xx/5xx.
 * The zod serializer writes only the keys a schema names, so each record schema is complete.
 */
export const answers = <R extends z.ZodType>(record: R) => ({ 200: envelopeOf(record), ...failures });

/** The `response` of a route that creates: its envelope under 201. */
export const createdAnswers = <R extends z.ZodType>(record: R) => ({ 201: envelopeOf(record), ...failures });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `exactly<T>()(schema)`: the compiler refuses a record schema whose output is not `T` (a key
 * missing on either side), so a field a service adds cannot be dropped silently by the serializer.
 */
export const exactly =
  <T>() =>
  <S extends z.ZodType>(schema: S, ..._check: Same<z.output<S>, T> extends true ? [] : ['does not match']) =>
    schema;
