/**
 * Errors that cross a boundary carry a stable code. The HTTP edge maps the code to a status and
 * the `{message, ok, records}` envelope once; the CLI maps it to an exit code. Messages of 4xx
 * codes are meant for the caller; 5xx messages are replaced at the edge so internals never leak.
 */
export type ErrorCode =
  | 'bad_request' // 400: a parameter or body is wrong
  | 'unauthenticated' // 401: no or bad credentials
  | 'forbidden' // 403: authenticated, but no access
  | 'not_found' // 404
  | 'conflict' // 409
  | 'too_large' // 413
  | 'unsupported_media_type' // 415: a body type the route does not take
  | 'rate_limited' // 429
  | 'internal' // 500
  | 'database_unreachable' // 502
  | 'unavailable' // 503: a feature the server is not configured for
  | 'timeout'; // 504

export const statusOfCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  database_unreachable: 502,
  unavailable: 503,
  timeout: 504,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string) => new AppError('bad_request', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);

/** A 429 that says when to try again; the HTTP edge sends it as `Retry-After` (seconds). */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many failed sign-in attempts; try again in ${retryAfterSeconds} s`,
  ) {
    super('rate_limited', message);
  }
}
