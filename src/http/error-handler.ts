/**
 * Maps every error to the envelope once, at the edge. 5xx messages of unexpected errors are
 * replaced so stack traces and connection strings never reach a caller, and a database's own
 * error text reaches only callers who may see the report's SQL (src/services/database-failure.ts).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError, statusOfCode } from '../errors.ts';
import { hiddenDatabaseMessage, ReportDatabaseError } from '../services/database-failure.ts';
import { errorEnvelope } from './envelope.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

/**
 * Browsers answer a Basic challenge with a password dialog, so sign-in routes, `/api/me` and
 * requests that carry a session cookie (and no Authorization header) get no challenge.
 */
function challengesBasic(request: FastifyRequest): boolean {
  if (request.url.startsWith('/auth/') || request.url.startsWith('/api/me')) return false;
  return request.headers.authorization !== undefined || !request.cookies?.[SESSION_COOKIE];
}

function describe(error: unknown, requestId: string): { status: number; message: string } {
  if (error instanceof ReportDatabaseError) {
    const status = statusOfCode[error.code];
    return { status, message: error.shownToCaller ? error.message : hiddenDatabaseMessage(requestId) };
  }
  if (error instanceof AppError) {
    const status = statusOfCode[error.code];
    return { status, message: status === 500 ? 'Internal error; see the server log' : error.message };
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return {
      status: 400,
      message: `"${issue?.path.join('.') || 'body'}" is invalid: ${issue?.message ?? ''}`,
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: fastifyError.message ?? 'Bad request' };
  }
  return { status: 500, message: 'Internal error; see the server log' };
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, message } = describe(error, request.id);
  // The full text, for whoever follows the request id from a caller's report; one line, no stack.
  if (error instanceof ReportDatabaseError) {
    request.log.error(
      { code: error.code, databaseError: error.databaseMessage },
      'report failed on the database',
    );
  }
  // An outage answers every request with 503; one line each, not a stack each, keeps it readable.
  if (error instanceof AppError && error.code === 'unavailable') {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    request.log.warn({ code: error.code, cause }, message);
  } else if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (status === 401 && challengesBasic(request))
    reply.header('WWW-Authenticate', 'Basic realm="Secure Reporter", charset="UTF-8"');
  return reply.code(status).type('application/json; charset=utf-8').send(errorEnvelope(message));
}
