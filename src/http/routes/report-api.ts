/** The report API of the help text: run, choices, server time, definitions. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { recordTime } from '../../services/time-format.ts';
import { csvCellsOf } from '../csv-accept.ts';
import { answers, okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { requestParams } from '../request-params.ts';
import { type Format, formats, sendRunOutput } from '../result-writers.ts';
import { contextOf } from '../route-auth.ts';
import { type ApiServer, reportParamsInput, reportRef, rowRecord } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { reportRecord } from './admin-reports.schema.ts';

const reportParams = z.object({ report: reportRef });
const callParams = reportParams.extend({ format: z.enum(formats).describe('json, csv, ndjson or xlsx') });
const fieldParams = z.object({ fieldId: z.coerce.number().int().positive().describe('Report field id') });
const tags = ['report API'];
const choiceRecord = z.object({ value: z.unknown(), label: z.string() });
/** JSON answers only; CSV, NDJSON and XLSX stream as files. */
const runAnswers = answers(rowRecord);

/** `Accept: text/csv`, `application/x-ndjson` or the XLSX type picks a format when the path does not. */
function formatOf(pathFormat: Format | undefined, accept: string | undefined): Format {
  if (pathFormat) return pathFormat;
  if (accept?.includes('text/csv')) return 'csv';
  if (accept?.includes('application/x-ndjson')) return 'ndjson';
  if (accept?.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')) return 'xlsx';
  return 'json';
}

const callDocs = {
  GET: {
    summary: 'Run a report; records as JSON (or CSV / NDJSON / XLSX by the Accept header)',
    description:
      'Parameters are query-string, form or JSON-body values named like the bind variables (`_value`).',
  },
  POST: { summary: 'Run a report with parameters in a form or JSON body' },
};
const formatDocs = {
  GET: {
    summary: 'Run a report in the given format (json, csv, ndjson, xlsx)',
    description:
      "CSV cells that could start a spreadsheet formula get a leading `'`; send `Accept: text/csv; neutralise=false` for the raw values.",
  },
  POST: { summary: 'Run a report in the given format, parameters in the body' },
};

export function reportApiRoutes(server: ApiServer, { services }: RouteDeps) {
  const call = async (request: FastifyRequest, reply: FastifyReply, report: string, format?: Format) => {
    const ctx = contextOf(request);
    // Read before the run, so a malformed Accept parameter is a 400 that runs nothing.
    const cells = csvCellsOf(request.headers.accept);
    const raw = await requestParams(request);
    // The hook's context carries the signal that cancels the statement when the client leaves.
    const output = await services.runner.run(ctx, report, raw);
    return sendRunOutput(reply, output, formatOf(format, request.headers.accept), cells);
  };
  for (const method of ['GET', 'POST'] as const) {
    // A GET's body is read by requestParams, so only a POST declares one.
    const body = method === 'POST' ? reportParamsInput : {};
    server.route({
      method,
      url: '/api/call/:report/',
      schema: { ...callDocs[method], tags, params: reportParams, ...body, response: runAnswers },
      handler: (request, reply) => call(request, reply, request.params.report),
    });
    server.route({
      method,
      url: '/api/call/:report/:format/',
      schema: { ...formatDocs[method], tags, params: callParams, ...body, response: runAnswers },
      handler: (request, reply) => call(request, reply, request.params.report, request.params.format),
    });
  }
  otherRoutes(server, services);
}

function otherRoutes(server: ApiServer, services: RouteDeps['services']) {
  server.get(
    '/api/choices/:fieldId/',
    {
      schema: {
        summary: 'The choices of a report field, as records of value and label',
        response: answers(choiceRecord),
        tags,
        params: fieldParams,
      },
    },
    async (request) => okEnvelope(await services.runner.choices(contextOf(request), request.params.fieldId)),
  );
  server.get(
    '/api/server_time/',
    {
      schema: {
        summary: 'The current server time (UTC)',
        response: answers(z.object({ server_time: z.string() })),
        tags,
      },
    },
    async () => okEnvelope([{ server_time: recordTime(new Date().toISOString()) }]),
  );
  server.get(
    '/api/server_iso_time/',
    {
      schema: {
        summary: 'The current server time as ISO 8601',
        response: answers(z.object({ server_iso_time: z.string() })),
        tags,
      },
    },
    async () => okEnvelope([{ server_iso_time: new Date().toISOString() }]),
  );
  server.get(
    '/report/get/:report',
    {
      schema: {
        summary: 'The report definition, fields sorted by field_order',
        response: answers(reportRecord),
        tags,
        params: reportParams,
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const definition = await services.runner.describable(ctx, request.params.report);
      return okEnvelope([presentReport(definition, ctx.principal)]);
    },
  );
  server.setNotFoundHandler((request) => {
    throw new AppError('not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}`);
  });
}
