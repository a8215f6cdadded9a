/**
 * The inline HTML of a report mail: one table per result table, every value HTML-escaped, the
 * first rows only (mail clients choke on huge tables; the attachment carries every row).
 */
import type { Column, JsonValue } from '../datasources/driver.ts';
import { escapeHtml } from '../templates/html-escape.ts';
import type { TableSink } from './table-export.ts';

/** Rows shown inline across all tables of one message. */
export const INLINE_ROW_LIMIT = 1000;

function cellText(value: JsonValue): string {
  if (value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

interface Table {
  title: string;
  /** Column positions shown: `row_style` is a UI styling column, not data. */
  shown: number[];
  header: string;
  body: string[];
  rows: number;
}

const TABLE_STYLE = 'border-collapse:collapse;font-size:13px';
const CELL_STYLE = 'border:1px solid #ccc;padding:4px 8px;text-align:left';

/** A sink that keeps the first rows as HTML and counts the rest. */
export function htmlTableSink(limit = INLINE_ROW_LIMIT) {
  const tables: Table[] = [];
  let inline = 0;
  const sink: TableSink = {
    table(title: string, columns: Column[]) {
      const shown = columns.flatMap((column, i) => (column.name === 'row_style' ? [] : [i]));
      const header = shown
        .map((i) => `<th style="${CELL_STYLE}">${escapeHtml(columns[i]?.name ?? '')}</th>`)
        .join('');
      tables.push({ title, shown, header, body: [], rows: 0 });
    },
    async rows(rows: JsonValue[][]) {
      const table = tables.at(-1);
      if (!table) return;
      table.rows += rows.length;
      for (const row of rows) {
        if (inline >= limit) break;
        inline++;
        const cells = table.shown.map(
          (i) => `<td style="${CELL_STYLE}">${escapeHtml(cellText(row[i] ?? null))}</td>`,
        );
        table.body.push(`<tr>${cells.join('')}</tr>`);
      }
    },
    async end() {},
  };

  /** The whole message body; a note under the tables says where rows left out went. */
  function html(heading: string, intro: string | undefined, attachmentName: string | null): string {
    const total = tables.reduce((n, t) => n + t.rows, 0);
    const parts = [`<h1 style="font-size:18px">${escapeHtml(heading)}</h1>`];
    if (intro) parts.push(`<p>${escapeHtml(intro).replace(/\n/g, '<br>')}</p>`);
    for (const table of tables) {
      if (tables.length > 1) parts.push(`<h2 style="font-size:15px">${escapeHtml(table.title)}</h2>`);
      if (table.rows === 0) {
        parts.push('<p><em>No rows.</em></p>');
        continue;
      }
      parts.push(
        `<table style="${TABLE_STYLE}"><thead><tr>${table.header}</tr></thead><tbody>${table.body.join('')}</tbody></table>`,
      );
    }
    if (total > inline) {
      const rest = attachmentName
        ? `the attached ${escapeHtml(attachmentName)} holds them all`
        : 'ask for a CSV or XLSX attachment to get them all';
      parts.push(
        `<p><em>Showing the first ${inline.toLocaleString('en')} of ${total.toLocaleString('en')} rows; ${rest}.</em></p>`,
      );
    }
    return `<!doctype html><html><body style="font-family:sans-serif">${parts.join('\n')}</body></html>`;
  }

  return { sink, html };
}
