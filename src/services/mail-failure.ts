/**
 * What went wrong when a message was not sent, in words an operator can act on, and whether
 * trying again later can help. nodemailer reports a socket failure as `ESOCKET` with the system
 * code in `originalCode`, and an SMTP refusal with the server's `responseCode`.
 */
import { AppError } from '../errors.ts';

export interface MailFailure {
  /** True when the same message may well go through on a later attempt. */
  transient: boolean;
  /** For the schedule history and the log: names the server and the cause. */
  reason: string;
  /** For an HTTP caller: no host names or server replies. */
  summary: string;
}

interface NodemailerError {
  code?: string;
  originalCode?: string;
  address?: string;
  port?: number;
  responseCode?: number;
  response?: string;
  message?: string;
}

const UNREACHABLE = 'The mail server could not be reached';
const REFUSED = 'The mail server did not accept the message';

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'no answer (timeout)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'host name lookup failed for now',
  ECONNECTION: 'connection closed unexpectedly',
};

export function mailFailureOf(error: unknown): MailFailure {
  const e = (error ?? {}) as NodemailerError;
  const status = e.responseCode;
  if (typeof status === 'number' && status >= 400 && status < 600) {
    const transient = status < 500;
    const verb = transient ? 'deferred' : 'refused';
    return { transient, reason: `the mail server ${verb} the message: ${e.response}`, summary: REFUSED };
  }
  // After the SMTP replies: a greeting refused with a 554 also comes as a connection error.
  const network = NETWORK_CAUSES[e.originalCode ?? e.code ?? ''];
  if (network) {
    const where = e.address ? ` ${e.address}:${e.port ?? ''}` : '';
    return { transient: true, reason: `${network} (mail server${where})`, summary: UNREACHABLE };
  }
  const reason = `the message was not sent: ${e.message ?? String(error)}`;
  return { transient: false, reason, summary: REFUSED };
}

/** The last failure after every attempt; 502, as the mail server, not the caller, failed. */
export class MailNotSent extends AppError {
  constructor(
    readonly failure: MailFailure,
    readonly attempts: number,
    cause: unknown,
  ) {
    super('database_unreachable', failure.summary, { cause });
    this.name = 'MailNotSent';
  }
}
