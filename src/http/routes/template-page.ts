/**
 * `/template/<report>/`: a template report rendered as HTML. The template's HTML is served with a
 * `sandbox` CSP (and inside a sandboxed iframe on the full page), so whatever it contains runs,
 * if at all, in an opaque origin with no access to the app or its session.
 */
import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import { collectRecords } from '../../services/result-records.ts';
import { escapeHtml } from '../../templates/html-escape.ts';
import { renderHtmlTemplate } from '../../templates/html-template.ts';
import { requestParams } from '../request-params.ts';
import { contextOf } from '../route-auth.ts';
import { type ApiServer, reportRef } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';

const params = z.object({ report: reportRef });
const SANDBOX_CSP = "sandbox; default-src 'none'; img-src data: https:; style-src 'unsafe-inline'";

export function templatePageRoutes(server: ApiServer, { services }: RouteDeps) {
  const schema = {
    summary: 'A template report rendered as HTML (`?template_only=Y` for the template alone)',
    tags: ['report API'],
    params,
  };
  server.get('/template/:report/', { schema }, async (request, reply) => {
    const { report } = request.params;
    const ctx = contextOf(request);
    const { template_only: templateOnly, ...raw } = await requestParams(request);
    const output = await services.runner.run(ctx, report, raw);
    if (output.report.type !== 'template' || output.kind !== 'table') {
      throw badRequest(`"${output.report.slug}" is not a template report`);
    }
    const { records } = await collectRecords(output.columns, output.rows);
    const html = renderHtmlTemplate(output.report.output.html_template ?? '', {
      ...raw,
      records,
      columns: output.columns.map((column) => column.name),
      report_name: output.report.name,
      user_email: ctx.principal.email ?? ctx.principal.name,
    });
    reply.header('Content-Security-Policy', SANDBOX_CSP).type('text/html; charset=utf-8');
    if (String(templateOnly).toUpperCase() === 'Y') return html;
    const title = escapeHtml(output.report.name);
    reply.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'",
    );
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{margin:0;font-family:system-ui,sans-serif}h1{font-size:1.2rem;margin:.8rem 1rem}iframe{border:0;width:100%;height:calc(100vh - 3.5rem)}</style>
</head><body><h1>${title}</h1><iframe sandbox title="${title}" srcdoc="${escapeHtml(html)}"></iframe></body></html>`;
  });
}
