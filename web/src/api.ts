/**
 * The one way the app talks to the server: JSON API calls that unwrap the `{message, ok, records}`
 * envelope, and send the session's CSRF token on every unsafe request.
 */

export interface Envelope<T> {
  message: string;
  ok: boolean;
  records: T[];
}

/** A failed call: the server's own message, ready to show, and the HTTP status. */
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

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A plain object is sent as JSON; FormData as multipart; a string as `contentType`. */
  body?: unknown;
  /** The type of a string body (`application/yaml`, `application/json`). */
  contentType?: string;
  signal?: AbortSignal;
}

async function readEnvelope<T>(response: Response): Promise<Envelope<T> & Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    const hint = response.ok ? 'an answer that is not JSON' : `HTTP ${response.status}`;
    throw new ApiError(`The server sent ${hint}`, response.status);
  }
}

export async function call<T>(
  path: string,
  { method = 'GET', body, signal, contentType }: CallOptions = {},
): Promise<Envelope<T> & Record<string, unknown>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (typeof body === 'string' && contentType) {
    headers['Content-Type'] = contentType;
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, credentials: 'same-origin' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('The server cannot be reached; check your connection and try again', 0);
  }
  const envelope = await readEnvelope<T>(response);
  if (!response.ok || envelope.ok === false) {
    throw new ApiError(envelope.message || `The request failed (HTTP ${response.status})`, response.status);
  }
  return envelope;
}

/** The records of a GET. */
export const records = async <T>(path: string, signal?: AbortSignal): Promise<T[]> =>
  (await call<T>(path, { signal })).records;

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
