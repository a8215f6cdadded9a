/**
 * A report's SQL that the database refused at run time. The database's own words can quote the
 * SQL, name tables and columns or echo values, so they reach only callers who may see the
 * report's SQL (`canSeeReportSql`); everyone else gets a generic message with the request id,
 * while the full text goes to the log and the audit record.
 *
 * Timeouts, cancellations, busy pools and unreachable databases keep their own messages: the
 * drivers word those themselves, without SQL, addresses, users or passwords.
 */
import { AppError } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { canSeeReportSql } from '../policies/report-access.ts';

export class ReportDatabaseError extends AppError {
  constructor(
    /** The database's text, for the audit record and the log; `message` is the same text. */
    readonly databaseMessage: string,
    /** Whether the caller may read it: editors and admins, who may see the SQL anyway. */
    readonly shownToCaller: boolean,
    cause: AppError,
  ) {
    super(cause.code, databaseMessage, { cause });
    this.name = 'ReportDatabaseError';
  }
}

/** What a caller who may not see the SQL is told; the id finds the log line. */
export const hiddenDatabaseMessage = (requestId: string) =>
  `The report failed on the database (request ${requestId})`;

/**
 * What a run's record may keep for someone who was not there to read a request id (a schedule's
 * history, read by its owner): the database's text only when the runner may see the SQL.
 */
export function storedRunMessage(error: unknown): string {
  if (error instanceof ReportDatabaseError && !error.shownToCaller)
    return "The report failed on the database; its audit record holds the database's message";
  return error instanceof Error ? error.message : String(error);
}

/**
 * A driver's `bad_request` is SQL the database rejected, worded by the database; every other
 * code (timeout, unavailable, database_unreachable, internal) has a message of our own.
 */
function isDatabaseText(error: unknown): error is AppError {
  return error instanceof AppError && !(error instanceof ReportDatabaseError) && error.code === 'bad_request';
}

/** Marks an error that came out of running SQL on a report database, for this principal. */
export function fromDatabase(error: unknown, principal: Principal): unknown {
  return isDatabaseText(error)
    ? new ReportDatabaseError(error.message, canSeeReportSql(principal), error)
    : error;
}

/**
 * The same rows; a failure while reading them is marked like a failure before the first. Not a
 * generator: `return()` must reach the inner rows even if reading never started, or the pooled
 * connections they hold would not go back.
 */
export function databaseRows<T>(rows: AsyncIterable<T>, principal: Principal): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const inner = rows[Symbol.asyncIterator]();
      return {
        next: () =>
          inner.next().catch((error: unknown) => {
            throw fromDatabase(error, principal);
          }),
        return: (value?: unknown) =>
          inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value: undefined }),
      };
    },
  };
}
