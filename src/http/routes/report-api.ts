/** The report API of the help text: run, choices, server time, definitions. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { recordTime } from '../../services/time-format.ts';
import { csvCellsOf } from '../csv-accept.ts';
import { okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { requestParams } from '../request-params.ts';
import { type Format, formats, sendRunOutput } from '../result-writers.ts';
import { contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';

const callParams = z.object({ report: z.string().min(1), format: z.enum(formats).optional() });
const fieldParams = z.object({ fieldId: z.coerce.number().int().positive() });

/** `Accept: text/csv`, `application/x-ndjson` or the XLSX type picks a format when the path does not. */
function formatOf(pathFormat: Format | undefined, accept: string | undefined): Format {
  if (pathFormat) return pathFormat;
  if (accept?.includes('text/csv')) return 'csv';
  if (accept?.includes('application/x-ndjson')) return 'ndjson';
  if (accept?.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')) return 'xlsx';
  return 'json';
}

export function reportApiRoutes(server: FastifyInstance, { services }: RouteDeps) {
  const call = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { report, format } = callParams.parse(request.params);
    const ctx = contextOf(request);
    // Read before the run, so a malformed Accept parameter is a 400 that runs nothing.
    const cells = csvCellsOf(request.headers.accept);
    const raw = await requestParams(request);
    // The hook's context carries the signal that cancels the statement when the client leaves.
    const output = await services.runner.run(ctx, report, raw);
    return sendRunOutput(reply, output, formatOf(format, request.headers.accept), cells);
  };
  for (const method of ['GET', 'POST'] as const) {
    server.route({ method, url: '/api/call/:report/', handler: call });
    server.route({ method, url: '/api/call/:report/:format/', handler: call });
  }

  server.get('/api/choices/:fieldId/', async (request) => {
    const { fieldId } = fieldParams.parse(request.params);
    const ctx = contextOf(request);
    return okEnvelope(await services.runner.choices(ctx, fieldId));
  });

  server.get('/api/server_time/', async () => {
    return okEnvelope([{ server_time: recordTime(new Date().toISOString()) }]);
  });

  server.get('/api/server_iso_time/', async () => {
    return okEnvelope([{ server_iso_time: new Date().toISOString() }]);
  });

  server.get('/report/get/:report', async (request) => {
    const { report } = callParams.parse(request.params);
    const ctx = contextOf(request);
    const definition = await services.runner.describable(ctx, report);
    return okEnvelope([presentReport(definition, ctx.principal)]);
  });

  server.setNotFoundHandler((request) => {
    throw new AppError('not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}`);
  });
}
