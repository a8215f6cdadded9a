/**
 * Writes a run's rows as JSON (the envelope), CSV or NDJSON. Small results go out as one string;
 * larger ones stream batch by batch with backpressure, so memory stays flat for any row count.
 * An error after streaming began can only cut the reply short, which clients see as a failure.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import type { Column, JsonValue } from '../datasources/driver.ts';
import { badRequest } from '../errors.ts';
import type { RunOutput } from '../services/report-runner.ts';

export const formats = ['json', 'csv', 'ndjson'] as const;
export type Format = (typeof formats)[number];

const contentTypes: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Rows buffered before the writer decides to stream rather than send one string. */
const BUFFER_ROWS = 2000;

type Encoder = { head: string; row: (row: JsonValue[], first: boolean) => string; tail: string };

function recordEncoder(columns: Column[]) {
  const keys = columns.map((column) => `${JSON.stringify(column.name)}:`);
  return (row: JsonValue[]) => {
    let text = '{';
    for (let i = 0; i < keys.length; i++)
      text += `${i ? ',' : ''}${keys[i]}${JSON.stringify(row[i] ?? null)}`;
    return `${text}}`;
  };
}

function csvCell(value: JsonValue): string | number | boolean | null {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

function encoderFor(format: Format, columns: Column[]): Encoder {
  if (format === 'csv') {
    return {
      head: stringify([columns.map((column) => column.name)]),
      row: (row) => stringify([row.map(csvCell)]),
      tail: '',
    };
  }
  const record = recordEncoder(columns);
  if (format === 'ndjson') return { head: '', row: (row) => `${record(row)}\n`, tail: '' };
  return {
    head: '{"message":"","ok":true,"records":[',
    row: (row, first) => (first ? '' : ',') + record(row),
    tail: ']}',
  };
}

async function* encode(encoder: Encoder, buffered: JsonValue[][][], rest: AsyncIterator<JsonValue[][]>) {
  let first = true;
  const batchText = (batch: JsonValue[][]) => {
    let text = '';
    for (const row of batch) {
      text += encoder.row(row, first);
      first = false;
    }
    return text;
  };
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
  const chunks = encode(encoderFor(format, columns), buffered, iterator);
  if (!done) return reply.send(Readable.from(chunks, { objectMode: false }));
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return reply.send(text);
}

export async function sendRunOutput(reply: FastifyReply, output: RunOutput, format: Format) {
  if (output.kind === 'table') return sendTable(reply, format, output.columns, output.rows);
  if (format !== 'json') {
    throw badRequest(`"${output.report.slug}" is a panel report with several tables; request it as JSON`);
  }
  const records = output.sections.map((section) => {
    const encode = recordEncoder(section.columns);
    return `{"title":${JSON.stringify(section.title)},"records":[${section.rows.map(encode).join(',')}]}`;
  });
  return reply.type(contentTypes.json).send(`{"message":"","ok":true,"records":[${records.join(',')}]}`);
}
