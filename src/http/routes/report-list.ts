/**
 * `GET /api/reports/`: the reports the caller may run, for the home page, with the group lists
 * that have an image or a description so the page can show a picture per group.
 */

import { z } from 'zod';
import { canRunReport } from '../../policies/report-access.ts';
import { envelopeOf, failureEnvelope, okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { reportRecord } from './admin-reports.schema.ts';

/** A runnable report for the home page: no SQL, sections by title only. */
const listedReport = reportRecord.omit({ sql: true }).extend({
  sections: z.array(z.object({ title: z.string() })),
});
const picture = z.object({ name: z.string(), description: z.string(), image: z.string() });
/** The envelope plus `groups`: the pictures of the groups the listed reports belong to. */
const reportList = envelopeOf(listedReport).extend({ groups: z.array(picture) });

export function reportListRoutes(server: ApiServer, { services }: RouteDeps) {
  const schema = {
    summary: 'The reports the caller may run, with the pictures of their groups',
    tags: ['report API'],
    response: { 200: reportList, '4xx': failureEnvelope, '5xx': failureEnvelope },
  };
  server.get('/api/reports/', { schema }, async (request) => {
    const ctx = contextOf(request);
    // An editor's list holds every report; the home page shows only those the caller may run.
    const runnable = (await services.reports.list(ctx)).filter((report) =>
      canRunReport(ctx.principal, report),
    );
    const images = await services.groupLists.pictures(
      ctx,
      new Set(runnable.flatMap((report) => report.groups)),
    );
    const reports = runnable.map((report) => {
      const { sql: _sql, sections, ...rest } = presentReport(report, ctx.principal);
      return { ...rest, sections: sections.map((section) => ({ title: section.title })) };
    });
    // The envelope plus `groups`: the pictures of the groups the listed reports belong to.
    return { ...okEnvelope(reports), groups: images };
  });
}
