/** `/report/mail/<report>/` (SPEC §6): run a report and mail the result. */
import type { RawParams } from '../../services/parameters.ts';
import { answers, okEnvelope } from '../envelope.ts';
import { requestParams } from '../request-params.ts';
import { contextOf } from '../route-auth.ts';
import { type ApiServer, reportParamsInput } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { MAIL_PREFIX, mailOptions, mailPathParams, mailResultRecord } from './report-mail.schema.ts';

/** Splits the reserved `_mail_*` names off, so they never reach the report as parameters. */
function splitParams(all: RawParams): { mail: RawParams; report: RawParams } {
  const mail: RawParams = {};
  const report: RawParams = {};
  for (const [name, value] of Object.entries(all)) {
    if (name.startsWith(MAIL_PREFIX)) mail[name] = value;
    else report[name] = value;
  }
  return { mail, report };
}

export function reportMailRoutes(server: ApiServer, { services }: RouteDeps) {
  const schema = {
    summary:
      'Run a report and email the result (parameters and `_mail_to`, `_mail_subject`, `_mail_attach` as form data)',
    tags: ['report API'],
    params: mailPathParams,
    response: answers(mailResultRecord),
    ...reportParamsInput,
  };
  server.post('/report/mail/:report/', { schema }, async (request) => {
    const { report } = request.params;
    const ctx = contextOf(request);
    const { mail, report: raw } = splitParams(await requestParams(request));
    const options = mailOptions.parse(mail);
    const result = await services.mail.mailReport(ctx, {
      ref: report,
      raw,
      to: options._mail_to,
      subject: options._mail_subject,
      attach: options._mail_attach,
    });
    return okEnvelope([{ sent: result.sent, rows: result.rows, to: result.to }]);
  });
}
