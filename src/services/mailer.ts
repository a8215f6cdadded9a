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
import nodemailer, { type Transporter } from 'nodemailer';
import { AppError, badRequest } from '../errors.ts';
import { checkRecipients } from '../policies/mail-recipients.ts';
import type { Principal } from '../policies/principal.ts';
import type { AuditService } from './audit.ts';
import { htmlTableSink } from './mail-table.ts';
import type { RawParams } from './parameters.ts';
import type { ReportRunner, RunOutput } from './report-runner.ts';
import { type ExportFormat, exportContentTypes, exportFileName, exportRun, sinkFor } from './table-export.ts';

interface Deps {
  /** Undefined: mail is off and every send is refused with a clear message. */
  smtpUrl: string | undefined;
  from: string;
  /** `CUSTOM_MAIL_DOMAINS`, lower case. */
  mailDomains: readonly string[];
  runner: Pick<ReportRunner, 'authorized' | 'run'>;
  audit: Pick<AuditService, 'adminChange'>;
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
}

export interface SendRunResult {
  sent: boolean;
  rows: number;
  messageId?: string;
}

export interface MailReportRequest {
  ref: string;
  /** Report parameters, `_mail_*` names already removed. */
  raw: RawParams;
  principal: Principal;
  client?: string | null;
  /** Default: the principal's own address. */
  to?: string[];
  subject?: string;
  attach?: ExportFormat | null;
}

export const MAIL_NOT_CONFIGURED = 'Mail is not configured on this server (SMTP_URL)';

/** Attachment file written while the rows stream; removed after the send. */
async function withAttachmentFile<T>(
  output: RunOutput,
  format: ExportFormat | null,
  work: (file: { path: string; sink: ReturnType<typeof sinkFor> } | null) => Promise<T>,
): Promise<T> {
  if (!format) return work(null);
  const dir = await mkdtemp(path.join(tmpdir(), 'secure-reporter-mail-'));
  const filePath = path.join(dir, exportFileName(output.report.slug, format));
  const out = createWriteStream(filePath);
  try {
    return await work({ path: filePath, sink: sinkFor(format, out) });
  } finally {
    out.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export function mailService(deps: Deps) {
  let transport: Transporter | undefined;
  const transportOf = () => {
    if (!deps.smtpUrl) throw new AppError('unavailable', MAIL_NOT_CONFIGURED);
    transport ??= nodemailer.createTransport(deps.smtpUrl);
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
   * Sends one run. Recipients must already have passed `allowedRecipients` for whoever asked.
   * Consumes `output` (its rows stream once).
   */
  async function sendRun(request: SendRunRequest): Promise<SendRunResult> {
    const mailer = transportOf();
    const { output } = request;
    const attach = request.attach ?? null;
    const inline = htmlTableSink();
    return withAttachmentFile(output, attach, async (file) => {
      const rows = await exportRun(output, file ? [inline.sink, file.sink] : [inline.sink]);
      if (rows === 0 && request.skipIfEmpty) return { sent: false, rows };
      const fileName = attach ? exportFileName(output.report.slug, attach) : null;
      const attachments =
        file && attach && fileName
          ? [{ filename: fileName, path: file.path, contentType: exportContentTypes[attach] }]
          : [];
      try {
        const info = await mailer.sendMail({
          from: deps.from,
          to: request.to,
          subject: request.subject.replace(/[\r\n]+/g, ' '),
          text: `${request.intro ? `${request.intro}\n\n` : ''}${output.report.name}: ${rows} rows.${fileName ? ` All rows are in ${fileName}.` : ''}`,
          html: inline.html(output.report.name, request.intro, fileName),
          attachments,
        });
        return { sent: true, rows, messageId: info.messageId };
      } catch (error) {
        // 502: the mail server, not the caller, failed; its reply stays in the log only.
        throw new AppError('database_unreachable', 'The mail server did not accept the message', {
          cause: error,
        });
      }
    });
  }

  return {
    allowedRecipients,
    sendRun,

    /** `/report/mail`: authorize, check recipients, run, send, audit. */
    async mailReport(request: MailReportRequest) {
      transportOf();
      const { principal } = request;
      await deps.runner.authorized(request.ref, principal);
      const own = principal.email ? [principal.email] : [];
      if (!request.to?.length && own.length === 0) {
        throw badRequest('Give the recipients in "_mail_to"; a token has no address of its own');
      }
      const to = allowedRecipients(principal, request.to?.length ? request.to : own);
      const output = await deps.runner.run(request.ref, request.raw, { principal, client: request.client });
      const subject = request.subject?.trim() || `Report: ${output.report.name}`;
      const attach = request.attach ?? null;
      const result = await sendRun({ to, subject, output, attach });
      await deps.audit.adminChange(
        principal,
        'report.mail',
        { report: output.report.slug, to, subject, attach, rows: result.rows, message_id: result.messageId },
        request.client,
      );
      return { ...result, to };
    },
  };
}

export type MailService = ReturnType<typeof mailService>;
