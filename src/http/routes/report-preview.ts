/**
 * Preview of an editor's unsaved report: the body's definition runs through the runner's
 * pipeline (parameters, SQL template, bind variables, access groups, timeouts, audit) as the
 * caller, and nothing is saved. Answers are capped at PREVIEW_ROW_LIMIT rows per table.
 */
import { badRequest } from '../../errors.ts';
import type { RawParams } from '../../services/parameters.ts';
import { collectRecords, recordsOf } from '../../services/result-records.ts';
import { answers, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import { type ApiServer, rowRecord } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { PREVIEW_ROW_LIMIT, previewBody } from './report-preview.schema.ts';

const cutMessage = `The preview shows the first ${PREVIEW_ROW_LIMIT} rows`;

export function reportPreviewRoutes(server: ApiServer, { services }: RouteDeps) {
  server.post(
    '/api/admin/reports/preview/',
    {
      config: { role: 'editor' },
      schema: {
        summary: 'Run an unsaved report definition (the editor state) without saving it',
        tags: ['admin: review'],
        description: `Body: \`{"report": <report as saved>, "params": {"_name": value}}\`. Editors and admins; at most ${PREVIEW_ROW_LIMIT} rows per table.`,
        // A missing body previews nothing rather than failing on the schema's first field.
        body: previewBody.optional(),
        response: answers(rowRecord),
      },
      schemaErrorFormatter: () => badRequest('The body must be {"report": {...}, "params": {...}}'),
    },
    async (request, _reply) => {
      const ctx = contextOf(request);
      const { report, params } = request.body ?? { report: undefined, params: {} };
      const definition = await services.reports.unsavedDefinition(ctx, report);
      const output = await services.runner.runDefinition(ctx, definition, params as RawParams);
      if (output.kind === 'sections') {
        let cut = false;
        const sections = output.sections.map((section) => {
          if (section.rows.length > PREVIEW_ROW_LIMIT) cut = true;
          return {
            title: section.title,
            records: recordsOf(section.columns, section.rows.slice(0, PREVIEW_ROW_LIMIT)),
          };
        });
        return okEnvelope(sections, cut ? cutMessage : '');
      }
      const { records, cut } = await collectRecords(output.columns, output.rows, PREVIEW_ROW_LIMIT);
      return okEnvelope(records, cut ? cutMessage : '');
    },
  );
}
