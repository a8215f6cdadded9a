/**
 * `GET /api/reports/`: the reports the caller may run, for the home page, with the group lists
 * that have an image or a description so the page can show a picture per group.
 */
import { canRunReport } from '../../policies/report-access.ts';
import { okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';

export function reportListRoutes(server: ApiServer, { services }: RouteDeps) {
  const schema = {
    summary: 'The reports the caller may run, with the pictures of their groups',
    tags: ['report API'],
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
