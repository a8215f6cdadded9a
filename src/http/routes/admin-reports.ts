/**
 * Report definitions for editors: list, create, replace, delete. A save makes a version: live
 * for admins, else a draft that runs once approved and promoted (report-versions.ts).
 */
import type { Principal } from '../../policies/principal.ts';
import type { ReportDefinition } from '../../services/report-model.ts';
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import {
  createReportBody,
  invalidReport,
  replaceReportBody,
  reportParams,
  reportRecord,
  savedReportRecord,
} from './admin-reports.schema.ts';

const tags = ['admin: reports'];
const config = { role: 'editor' } as const;
const path = '/api/admin/reports/:report/';

/** A save answers with the live report and the version it made: live for admins, else a draft. */
function savedEnvelope(
  saved: { report: ReportDefinition; version: { number: number; state: string } },
  actor: Principal,
) {
  const version = { number: saved.version.number, state: saved.version.state };
  const message =
    version.state === 'draft'
      ? `Saved as draft version ${version.number}; it runs once approved and promoted`
      : '';
  return okEnvelope([{ ...presentReport(saved.report, actor), version }], message);
}

export function adminReportRoutes(server: ApiServer, { services, transaction }: RouteDeps) {
  server.get(
    '/api/admin/reports/',
    {
      config,
      schema: { summary: 'List report definitions (editors)', response: answers(reportRecord), tags },
    },
    async (request) => {
      const ctx = contextOf(request);
      const reports = await services.reports.list(ctx);
      return okEnvelope(reports.map((report) => presentReport(report, ctx.principal)));
    },
  );
  server.post(
    '/api/admin/reports/',
    {
      config,
      schema: {
        summary: 'Create a report (editors)',
        response: createdAnswers(savedReportRecord),
        tags,
        body: createReportBody,
      },
      schemaErrorFormatter: invalidReport,
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      const saved = await transaction((scoped) => scoped.reports.saveVersion(ctx, request.body));
      return reply.code(201).send(savedEnvelope(saved, ctx.principal));
    },
  );
  server.put(
    path,
    {
      config,
      schema: {
        summary: 'Replace a report (editors)',
        response: answers(savedReportRecord),
        tags,
        params: reportParams,
        body: replaceReportBody,
      },
      schemaErrorFormatter: invalidReport,
    },
    async (request) => {
      const ctx = contextOf(request);
      const current = await services.reports.resolve(ctx, request.params.report);
      const body = { ...request.body, name: request.body.name ?? current.name };
      const saved = await transaction((scoped) => scoped.reports.saveVersion(ctx, body, { replace: true }));
      return savedEnvelope(saved, ctx.principal);
    },
  );
  server.delete(
    path,
    {
      config,
      schema: {
        summary: 'Delete a report (editors)',
        response: answers(emptyRecord),
        tags,
        params: reportParams,
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const { report } = request.params;
      await transaction((scoped) => scoped.reports.delete(ctx, report));
      return okEnvelope([]);
    },
  );
}
