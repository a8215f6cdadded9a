/**
 * File exports of a run (XLSX and CSV) written batch by batch to a stream, so memory stays flat
 * for any row count. Used by the HTTP API (downloads) and by mail (attachments).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Column, JsonValue } from '../datasources/driver.ts';
import { badRequest } from '../errors.ts';
import { type CsvCells, csvText } from './csv-encoder.ts';
import type { RunOutput } from './report-runner.ts';

export type ExportFormat = 'csv' | 'xlsx';

export const exportContentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Receives a run's tables in order: `table` opens one (a worksheet), `rows` appends to it. */
export interface TableSink {
  table(title: string, columns: Column[]): void;
  rows(rows: JsonValue[][]): Promise<void>;
  end(): Promise<void>;
}

/** A file name safe in a Content-Disposition header and on every file system. */
export function exportFileName(slug: string, format: ExportFormat): string {
  const base = slug.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'report';
  return `${base}.${format}`;
}

/** Waits while the destination's buffer is full, so a slow reader slows the database read. */
export async function drained(out: Writable) {
  if (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
  }
  // A reader that went away ends the export, which closes the database cursor.
  if (out.destroyed) throw new Error('The export destination closed before the export ended');
}

/**
 * A cell as a spreadsheet holds it: dates and timestamps are already record-format text. Only
 * strings, numbers, booleans and null reach exceljs, which writes a string as a string cell
 * whatever it begins with (`=` included) and makes formulas, hyperlinks and rich text only from
 * objects (`{formula}`, `{text, hyperlink}`, `{richText}`): a JSON value is therefore written as
 * its JSON text, never as such an object (docs/security.md, "Exports and spreadsheets").
 */
function cellValue(value: JsonValue): string | number | boolean | null {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

/** Excel refuses `[]:*?/\` in sheet names, names over 31 characters and duplicates. */
function sheetNamer() {
  const used = new Set<string>();
  return (title: string) => {
    const base =
      title
        .replace(/[[\]:*?/\\]/g, ' ')
        .trim()
        .slice(0, 31) || 'Sheet';
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base.slice(0, 27)} (${n})`;
    used.add(name.toLowerCase());
    return name;
  };
}

/**
 * exceljs is the largest module on the start-up path (over 150 files), so it is loaded with the
 * first XLSX rather than with the server; later calls get the module already loaded.
 */
async function openWorkbook(out: Writable) {
  const { default: excel } = await import('exceljs');
  return new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
}

/**
 * The exceljs streaming writer with inline strings (shared strings would keep every distinct
 * string in memory); each row is committed as it arrives. `table` cannot wait for exceljs to
 * load, so the tables it opens are added when the next `rows` or `end` has the workbook.
 */
export function xlsxSink(out: Writable): TableSink {
  let workbook: Promise<ExcelJS.stream.xlsx.WorkbookWriter> | undefined;
  const nameOf = sheetNamer();
  const opened: { title: string; columns: Column[] }[] = [];
  let sheet: ExcelJS.Worksheet | undefined;
  const ready = async () => {
    workbook ??= openWorkbook(out);
    const writer = await workbook;
    for (const { title, columns } of opened.splice(0)) {
      sheet?.commit();
      sheet = writer.addWorksheet(nameOf(title));
      const header = sheet.addRow(columns.map((column) => column.name));
      header.font = { bold: true };
      header.commit();
    }
    return writer;
  };
  return {
    table(title, columns) {
      opened.push({ title, columns });
    },
    async rows(rows) {
      await ready();
      if (!sheet) throw new Error('xlsxSink: rows before table');
      for (const row of rows) sheet.addRow(row.map(cellValue)).commit();
      await drained(out);
    },
    async end() {
      await (await ready()).commit();
    },
  };
}

/** The CSV header line of a table; column names come from SQL aliases, so they are cells too. */
export const csvHeader = (columns: readonly Column[], cells: CsvCells = 'neutralise'): string =>
  csvText([columns.map((column) => column.name)], cells);

/** CSV lines for a batch of rows, as one string. */
export const csvLines = (rows: readonly JsonValue[][], cells: CsvCells = 'neutralise'): string =>
  csvText(rows, cells);

/** One CSV table; a second `table` call is refused, as a CSV file holds one table. */
export function csvSink(out: Writable, cells: CsvCells = 'neutralise'): TableSink {
  let opened = false;
  return {
    table(title, columns) {
      if (opened) throw badRequest(`"${title}" is one of several tables; CSV holds one, ask for XLSX`);
      opened = true;
      out.write(csvHeader(columns, cells));
    },
    async rows(rows) {
      if (rows.length === 0) return;
      out.write(csvLines(rows, cells));
      await drained(out);
    },
    async end() {
      out.end();
      if (!out.writableFinished) await once(out, 'finish');
    },
  };
}

export function sinkFor(format: ExportFormat, out: Writable, cells: CsvCells = 'neutralise'): TableSink {
  return format === 'xlsx' ? xlsxSink(out) : csvSink(out, cells);
}

/**
 * Feeds a run into every sink in one pass over the rows (mail fills its inline table and its
 * attachment together). Returns the number of rows. A panel report is one table per section.
 */
export async function exportRun(output: RunOutput, sinks: readonly TableSink[]): Promise<number> {
  let count = 0;
  const feed = async (
    title: string,
    columns: Column[],
    batches: AsyncIterable<JsonValue[][]> | JsonValue[][][],
  ) => {
    for (const sink of sinks) sink.table(title, columns);
    for await (const rows of batches) {
      count += rows.length;
      for (const sink of sinks) await sink.rows(rows);
    }
  };
  if (output.kind === 'table') {
    await feed(output.report.name, output.columns, output.rows);
  } else {
    for (const section of output.sections) await feed(section.title, section.columns, [section.rows]);
  }
  for (const sink of sinks) await sink.end();
  return count;
}
