/**
 * Writes a run's rows as JSON (the envelope), CSV or NDJSON (XLSX: file-download.ts). Small results go out as one string;
 * larger ones stream batch by batch with backpressure, so memory stays flat for any row count.
 * An error after streaming began can only cut the reply short, which clients see as a failure.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Column, JsonValue } from '../datasources/driver.ts';
import { badRequest } from '../errors.ts';
import type { CsvCells } from '../services/csv-encoder.ts';
import type { RunOutput } from '../services/report-runner.ts';
import { recordsJson, recordsOf } from '../services/result-records.ts';
import { csvHeader, csvLines, exportContentTypes } from '../services/table-export.ts';
import { okEnvelope } from './envelope.ts';
import { sendDownload } from './file-download.ts';

export const formats = ['json', 'csv', 'ndjson', 'xlsx'] as const;
export type Format = (typeof formats)[number];

const contentTypes: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  xlsx: exportContentTypes.xlsx,
};

/** Rows buffered before the writer decides to stream rather than send one string. */
const BUFFER_ROWS = 2000;

/** Encodes whole batches: one string per batch, written as one chunk. */
type Encoder = { head: string; batch: (rows: JsonValue[][], first: boolean) => string; tail: string };

function encoderFor(format: Format, columns: Column[], cells: CsvCells): Encoder {
  if (format === 'csv') {
    return {
      head: csvHeader(columns, cells),
      batch: (rows) => csvLines(rows, cells),
      tail: '',
    };
  }
  if (format === 'ndjson') return { head: '', batch: recordsJson(columns, '\n'), tail: '' };
  const records = recordsJson(columns);
  return {
    head: '{"message":"","ok":true,"records":[',
    batch: (rows, first) => (first ? '' : ',') + records(rows),
    tail: ']}',
  };
}

/** Encodes batch after batch; the first non-empty one opens the array (JSON's commas). */
function batchWriter(encoder: Encoder) {
  let first = true;
  return (rows: JsonValue[][]) => {
    if (rows.length === 0) return '';
    const text = encoder.batch(rows, first);
    first = false;
    return text;
  };
}

async function* encode(encoder: Encoder, buffered: JsonValue[][][], rest: AsyncIterator<JsonValue[][]>) {
  const batchText = batchWriter(encoder);
  try {
    yield encoder.head + buffered.map(batchText).join('');
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield batchText(next.value);
    yield encoder.tail;
  } finally {
    await rest.return?.();
  }
}

async function sendTable(
  reply: FastifyReply,
  format: Format,
  columns: Column[],
  rows: AsyncIterable<JsonValue[][]>,
  cells: CsvCells,
) {
  const iterator = rows[Symbol.asyncIterator]();
  const buffered: JsonValue[][][] = [];
  let count = 0;
  let done = false;
  while (count < BUFFER_ROWS) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    count += next.value.length;
  }
  reply.type(contentTypes[format]);
  const encoder = encoderFor(format, columns, cells);
  if (!done) return reply.send(Readable.from(encode(encoder, buffered, iterator), { objectMode: false }));
  // Everything arrived: one string, without the streaming machinery.
  return reply.send(encoder.head + buffered.map(batchWriter(encoder)).join('') + encoder.tail);
}

/** `cells`: CSV cells neutralised against spreadsheet formulas (default) or raw (csv-accept.ts). */
export async function sendRunOutput(
  reply: FastifyReply,
  output: RunOutput,
  format: Format,
  cells: CsvCells = 'neutralise',
) {
  if (format === 'xlsx') return sendDownload(reply, output, format);
  if (output.kind === 'table') return sendTable(reply, format, output.columns, output.rows, cells);
  if (format !== 'json') {
    throw badRequest(`"${output.report.slug}" is a panel report with several tables; request it as JSON`);
  }
  const records = output.sections.map((section) => ({
    title: section.title,
    records: recordsOf(section.columns, section.rows),
  }));
  return reply.type(contentTypes.json).send(okEnvelope(records));
}
