/**
 * Report mail (SPEC §6 `/report/mail`, §3 schedule deliveries): an inline HTML table of the first
 * rows and, on request, a CSV or XLSX attachment with every row, sent through nodemailer from
 * `SMTP_URL`. The attachment is written to a temporary file while the rows stream, so memory
 * stays flat for any row count.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import { AppError, badRequest } from '../errors.ts';
import { checkRecipients } from '../policies/mail-recipients.ts';
import type { Principal } from '../policies/principal.ts';
import type { AuditService } from './audit.ts';
import { MailNotSent, mailFailureOf } from './mail-failure.ts';
import { htmlTableSink } from './mail-table.ts';
import type { RawParams } from './parameters.ts';
import type { ReportDefinition } from './report-model.ts';
import type { ReportRunner, RunOutput } from './report-runner.ts';
import type { RequestContext } from './request-context.ts';
import {
  type ExportFormat,
  exportContentTypes,
  exportFileName,
  exportRun,
  sinkFor,
  type TableSink,
} from './table-export.ts';

interface Deps {
  /** Undefined: mail is off and every send is refused with a clear message. */
  smtpUrl: string | undefined;
  from: string;
  /** `CUSTOM_MAIL_DOMAINS`, lower case. */
  mailDomains: readonly string[];
  runner: Pick<ReportRunner, 'authorized' | 'run'>;
  audit: Pick<AuditService, 'adminChange'>;
  /** Waits between attempts of a send with `retry`; attempts = delays + 1. */
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

export interface SendRunRequest {
  to: string[];
  subject: string;
  output: RunOutput;
  /** Plain text shown above the table. */
  intro?: string;
  attach?: ExportFormat | null;
  /** When the run has no rows, send nothing and answer `sent: false`. */
  skipIfEmpty?: boolean;
  /**
   * Try again after transient failures (server down, connection reset, timeout, 4xx). Schedules
   * do; an HTTP caller waiting for its answer does not.
   */
  retry?: boolean;
}

export interface SendRunResult {
  sent: boolean;
  rows: number;
  messageId?: string;
  /** Attempts made: 1 unless a transient failure was retried. */
  attempts?: number;
}

export interface MailReportRequest {
  ref: string;
  /** Report parameters, `_mail_*` names already removed. */
  raw: RawParams;
  /** Default: the principal's own address. */
  to?: string[];
  subject?: string;
  attach?: ExportFormat | null;
}

export const MAIL_NOT_CONFIGURED = 'Mail is not configured on this server (SMTP_URL)';

/** Attachment file written while the rows stream; `dispose` removes it after the send. */
async function openAttachment(slug: string, format: ExportFormat) {
  const dir = await mkdtemp(path.join(tmpdir(), 'secure-reporter-mail-'));
  const filePath = path.join(dir, exportFileName(slug, format));
  const out = createWriteStream(filePath);
  return {
    path: filePath,
    sink: sinkFor(format, out),
    async dispose() {
      out.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a draft needs to know before the rows arrive. */
export type DraftRequest = Omit<SendRunRequest, 'output'> & {
  report: Pick<ReportDefinition, 'name' | 'slug'>;
};

/**
 * A message being built from a run's rows: feed `sinks` (with exportRun, possibly together
 * with other sinks), then `send` with the row count, then `dispose`.
 */
export interface MailDraft {
  sinks: TableSink[];
  send(rows: number): Promise<SendRunResult>;
  dispose(): Promise<void>;
}

type Message = Parameters<Transporter['sendMail']>[0];

export function mailService(deps: Deps) {
  const retryDelaysMs = deps.retryDelaysMs ?? [500, 1000, 2000];
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let transport: Promise<Transporter> | undefined;
  // nodemailer is loaded with the first mail, so a server that never mails does not pay for it.
  const transportOf = (): Promise<Transporter> => {
    const smtpUrl = deps.smtpUrl;
    if (!smtpUrl) return Promise.reject(new AppError('unavailable', MAIL_NOT_CONFIGURED));
    transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl));
    return transport;
  };

  /** The recipients `principal` may use, trimmed and deduplicated; a 400 names a refused one. */
  function allowedRecipients(principal: Pick<Principal, 'email'>, to: readonly string[]): string[] {
    const check = checkRecipients(principal, to, deps.mailDomains);
    if (check.ok) return check.recipients;
    throw badRequest(
      check.refused ? `The recipient "${check.refused}" ${check.reason}` : `Mail: ${check.reason}`,
    );
  }

  /**
   * Starts a message for one run. Recipients must already have passed `allowedRecipients` for
   * whoever asked. Throws when mail is not configured.
   */
  async function draftRun(request: DraftRequest): Promise<MailDraft> {
    const mailer = await transportOf();
    const { report } = request;
    const attach = request.attach ?? null;
    const inline = htmlTableSink();
    const file = attach ? await openAttachment(report.slug, attach) : null;
    return {
      sinks: file ? [inline.sink, file.sink] : [inline.sink],
      async send(rows) {
        if (rows === 0 && request.skipIfEmpty) return { sent: false, rows };
        const fileName = attach ? exportFileName(report.slug, attach) : null;
        const attachments =
          file && attach && fileName
            ? [{ filename: fileName, path: file.path, contentType: exportContentTypes[attach] }]
            : [];
        const { messageId, attempts } = await sendWithRetry(mailer, request.retry === true, {
          from: deps.from,
          to: request.to,
          subject: request.subject.replace(/[\r\n]+/g, ' '),
          text: `${request.intro ? `${request.intro}\n\n` : ''}${report.name}: ${rows} rows.${fileName ? ` All rows are in ${fileName}.` : ''}`,
          html: inline.html(report.name, request.intro, fileName),
          attachments,
        });
        return { sent: true, rows, messageId, attempts };
      },
      dispose: async () => file?.dispose(),
    };
  }

  /** Sends one run (see draftRun). Consumes `output`: its rows stream once. */
  async function sendRun(request: SendRunRequest): Promise<SendRunResult> {
    const { output, ...rest } = request;
    const draft = await draftRun({ ...rest, report: output.report });
    try {
      return await draft.send(await exportRun(output, draft.sinks));
    } finally {
      await draft.dispose();
    }
  }

  /** Throws MailNotSent: its message (an HTTP 502) names no server; `failure.reason` does. */
  async function sendWithRetry(mailer: Transporter, retry: boolean, message: Message) {
    const attemptsAllowed = retry ? retryDelaysMs.length + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await mailer.sendMail(message);
        return { messageId: info.messageId as string, attempts: attempt };
      } catch (error) {
        const failure = mailFailureOf(error);
        const wait = retryDelaysMs[attempt - 1];
        if (!failure.transient || attempt >= attemptsAllowed || wait === undefined) {
          throw new MailNotSent(failure, attempt, error);
        }
        await sleep(wait);
      }
    }
  }

  return {
    allowedRecipients,
    draftRun,
    sendRun,

    /** `/report/mail`: authorize, check recipients, run, send, audit. */
    async mailReport(ctx: RequestContext, request: MailReportRequest) {
      await transportOf();
      const { principal } = ctx;
      await deps.runner.authorized(ctx, request.ref);
      const own = principal.email ? [principal.email] : [];
      if (!request.to?.length && own.length === 0) {
        throw badRequest('Give the recipients in "_mail_to"; a token has no address of its own');
      }
      const to = allowedRecipients(principal, request.to?.length ? request.to : own);
      const output = await deps.runner.run(ctx, request.ref, request.raw);
      const subject = request.subject?.trim() || `Report: ${output.report.name}`;
      const attach = request.attach ?? null;
      const result = await sendRun({ to, subject, output, attach });
      await deps.audit.adminChange(
        ctx,
        'report.mail',
        {
          report: output.report.slug,
          name: output.report.name,
          to,
          subject,
          attach,
          rows: result.rows,
          message_id: result.messageId,
        },
        { report: output.report.slug },
      );
      return { ...result, to };
    },
  };
}

export type MailService = ReturnType<typeof mailService>;
