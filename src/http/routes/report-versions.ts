/**
 * The review workflow over HTTP (SPEC §8): versions of a report, submit, approve, reject,
 * promote, preview, and the editor's list of updates. The service applies every permission check.
 */
import type { z } from 'zod';
import { answers, okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { requestParams } from '../request-params.ts';
import { sendRunOutput } from '../result-writers.ts';
import { contextOf } from '../route-auth.ts';
import { type ApiServer, reportParamsInput, rowRecord } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { reportRecord } from './admin-reports.schema.ts';
import {
  pendingVersionRecord,
  versionDetailRecord,
  versionListParams,
  versionParams,
  versionSummaryRecord,
} from './report-versions.schema.ts';

const base = '/api/admin/reports/:report/versions';
const tags = ['admin: review'];
const config = { role: 'editor' } as const;
/** Every route here is for editors and admins; the service checks admin-only reports. */
const doc = <R extends z.ZodType>(summary: string, record: R) => ({
  schema: { summary, tags, params: versionParams, response: answers(record) },
  config,
});

const actionSummaries = {
  submit: 'Submit a draft for review',
  approve: 'Approve a version in review (not by its author)',
  reject: 'Reject a version',
};

export function reportVersionRoutes(server: ApiServer, { services, transaction }: RouteDeps) {
  server.get(
    `${base}/`,
    {
      config,
      schema: {
        summary: 'Versions of a report, newest first: state, author, time',
        tags,
        params: versionListParams,
        response: answers(versionSummaryRecord),
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      return okEnvelope(await services.reportVersions.list(ctx, request.params.report));
    },
  );
  server.get(
    `${base}/:number/`,
    doc('One version: its definition and the diff from the one before', versionDetailRecord),
    async (request) => {
      const ctx = contextOf(request);
      const { report, number } = request.params;
      return okEnvelope([await services.reportVersions.get(ctx, report, number)]);
    },
  );
  for (const action of ['submit', 'approve', 'reject'] as const) {
    server.post(
      `${base}/:number/${action}/`,
      doc(actionSummaries[action], versionSummaryRecord),
      async (request) => {
        const ctx = contextOf(request);
        const { report, number } = request.params;
        return okEnvelope([await services.reportVersions[action](ctx, report, number)]);
      },
    );
  }
  server.post(
    `${base}/:number/promote/`,
    doc('Make an approved version live', reportRecord),
    async (request) => {
      const ctx = contextOf(request);
      const { report, number } = request.params;
      // The report tables and the version states change together or not at all.
      const live = await transaction((scoped) => scoped.reportVersions.promote(ctx, report, number));
      return okEnvelope([presentReport(live, ctx.principal)], `Version ${number} is live`);
    },
  );
  server.post(
    `${base}/:number/preview/`,
    {
      config,
      schema: {
        summary: 'Run a version with the given parameters without making it live',
        tags,
        params: versionParams,
        ...reportParamsInput,
        response: answers(rowRecord),
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      const { report, number } = request.params;
      const raw = await requestParams(request);
      const output = await services.reportVersions.preview(ctx, report, number, raw);
      return sendRunOutput(reply, output, 'json');
    },
  );

  server.get(
    '/api/admin/updates/',
    {
      config,
      schema: {
        summary: 'Versions in review or approved, waiting for an editor',
        tags,
        response: answers(pendingVersionRecord),
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      return okEnvelope(await services.reportVersions.pending(ctx));
    },
  );
}
