/**
 * The one way the app talks to the server: `api`, an openapi-fetch client typed by the server's
 * own OpenAPI document (api-schema.ts, generated), so a path, a path parameter or a body the
 * server does not accept fails the type check. `send` and `recordsOf` unwrap its answers into the
 * `{message, ok, records}` envelope or throw an ApiError with the server's message; the session's
 * CSRF token goes on every unsafe request.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api-schema.ts';

export interface Envelope<T> {
  message: string;
  ok: boolean;
  records: T[];
}

/** A failed call: the server's own message, ready to show, and the HTTP status (0: unreachable). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Kept from the sign-in answer and `/api/me`; sent as `X-CSRF-Token`. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

/** fetch, with a lost connection told apart from an answer (an abort stays an abort). */
async function reachServer(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ApiError('The server cannot be reached; check your connection and try again', 0);
  }
}

/** Query string of report parameters; lists repeat the name (`_status=a&_status=b`). */
export function queryString(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const query = search.toString();
  return query ? `?${query}` : '';
}

/** A typed client of the server at `baseUrl` ('' is the page's own origin). */
export function createApi(baseUrl = '') {
  const client = createClient<paths>({
    baseUrl,
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
    fetch: reachServer,
    // Empty values are left out so they take their defaults, as in the report API's own links.
    querySerializer: (query) => queryString(query as Record<string, unknown>).slice(1),
  });
  client.use(csrf);
  return client;
}

/** The app's client: `api.GET('/api/admin/tokens/')`, `api.DELETE('/api/admin/tokens/{name}/', …)`. */
export const api = createApi();

type Method = 'get' | 'post' | 'put' | 'delete';

/** The JSON body a route takes, from the document: `RequestBody<'/api/schedules/', 'post'>`. */
export type RequestBody<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessOf<O> = O extends { responses: infer S }
  ? JsonOf<S[200 & keyof S]> | JsonOf<S[201 & keyof S]>
  : never;

/** A route's successful answer (the envelope and any extra keys), from the document. */
export type AnswerOf<P extends keyof paths, M extends Method = 'get'> = SuccessOf<paths[P][M]>;

/** One record of a route's successful answer, from the document: `RecordOf<'/api/schedules/'>`. */
export type RecordOf<P extends keyof paths, M extends Method = 'get'> =
  SuccessOf<paths[P][M]> extends { records: (infer T)[] } ? T : never;

/** What an openapi-fetch call settles to. */
interface Result {
  data?: unknown;
  error?: unknown;
  response: Response;
}

type Documented<R> = R extends { data: infer D } ? Exclude<D, undefined> : never;

/** The answer's type: the document's response schema where it has one, else an untyped envelope. */
export type Answer<R> = [Documented<R>] extends [never]
  ? Envelope<unknown> & Record<string, unknown>
  : Documented<R>;

function failure(response: Response, body: unknown): ApiError {
  const message = (body as Partial<Envelope<unknown>> | undefined)?.message;
  if (typeof message === 'string' && message) return new ApiError(message, response.status);
  const hint = typeof body === 'string' && !response.ok ? `HTTP ${response.status}` : null;
  return new ApiError(
    hint ? `The server sent ${hint}` : `The request failed (HTTP ${response.status})`,
    response.status,
  );
}

/**
 * The envelope of a call, or an ApiError: the server's message on a failure (also an `ok: false`
 * answer with status 200), and a plain one when the answer is not JSON.
 */
export async function send<R extends Result>(request: Promise<R>): Promise<Answer<R>> {
  let result: R;
  try {
    result = await request;
  } catch (error) {
    // openapi-fetch parses a successful answer as JSON; one that is not JSON ends up here.
    if (error instanceof SyntaxError) throw new ApiError('The server sent an answer that is not JSON', 200);
    throw error;
  }
  const { data, error, response } = result;
  if (!response.ok) throw failure(response, error);
  const envelope = data as Partial<Envelope<unknown>> | undefined;
  if (!envelope || typeof envelope !== 'object') {
    throw new ApiError('The server sent an answer that is not JSON', response.status);
  }
  if (envelope.ok === false) throw failure(response, envelope);
  return data as Answer<R>;
}

type RecordsOf<R> = Answer<R> extends { records: infer T } ? T : never;

/** The records of a call. */
export async function recordsOf<R extends Result>(request: Promise<R>): Promise<RecordsOf<R>> {
  const answer = (await send(request)) as { records: unknown };
  return answer.records as RecordsOf<R>;
}

/** The one record of an answer about one thing (a report, the principal, what a create made). */
export async function firstOf<R extends Result>(request: Promise<R>) {
  const records = await recordsOf(request);
  return (records as RecordsOf<R> & unknown[])[0] as
    | (RecordsOf<R> extends (infer T)[] ? T : never)
    | undefined;
}

/** Fetches text (CSV, template HTML) with the session cookie; errors still come as envelopes. */
export async function text(path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(path, { signal, credentials: 'same-origin' });
  const body = await response.text();
  if (!response.ok) {
    let message = `The request failed (HTTP ${response.status})`;
    try {
      message = (JSON.parse(body) as Envelope<unknown>).message || message;
    } catch {}
    throw new ApiError(message, response.status);
  }
  return body;
}

export const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : 'Something went wrong';
