/**
 * A run as a file download (XLSX, or CSV for mail-like clients), streamed through the export
 * sinks. The first batch is read before the reply starts, so a failing query still answers with
 * the error envelope; a later failure can only cut the file short.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { JsonValue } from '../datasources/driver.ts';
import type { RunOutput } from '../services/report-runner.ts';
import {
  type ExportFormat,
  exportContentTypes,
  exportFileName,
  exportRun,
  sinkFor,
} from '../services/table-export.ts';

async function withFirstBatchRead(output: RunOutput): Promise<RunOutput> {
  if (output.kind !== 'table') return output;
  const iterator = output.rows[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* rows(): AsyncGenerator<JsonValue[][]> {
    try {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { ...output, rows: rows() };
}

export async function sendDownload(reply: FastifyReply, output: RunOutput, format: ExportFormat) {
  const prepared = await withFirstBatchRead(output);
  const body = new PassThrough();
  reply
    .type(exportContentTypes[format])
    .header('content-disposition', `attachment; filename="${exportFileName(output.report.slug, format)}"`);
  exportRun(prepared, [sinkFor(format, body)]).catch((error: unknown) => {
    reply.log.warn({ err: error }, 'export ended early');
    body.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return reply.send(body);
}
