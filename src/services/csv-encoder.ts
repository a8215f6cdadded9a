/**
 * CSV text for whole batches of rows, one string per batch. It writes what csv-stringify wrote
 * here before (comma, `"` doubled inside quotes, `\n` after every line, a cell quoted when it holds
 * a comma, quote or line break, booleans as words, NULL as an empty cell, JSON as its text), which
 * test/unit/csv-encoder.test.ts checks against csv-stringify itself; going value by value through
 * csv-stringify's option handling cost more than reading the rows from the database.
 */
import type { JsonValue } from '../datasources/driver.ts';
import { opensFormula } from './csv-injection.ts';

/**
 * How CSV cells are written. `neutralise` (the default, and always for mail) guards spreadsheets
 * against CSV injection (csv-injection.ts); `raw` writes every value exactly as the database
 * returned it, for machine callers that asked for it.
 */
export type CsvCells = 'neutralise' | 'raw';

/** What makes a cell need quotes in any CSV: the separator, the quote, a line break. */
const NEEDS_QUOTES = /[",\n\r]/;
/**
 * Excel splits CSV at `;` in many locales, and some importers at tabs: a neutralised cell holding
 * either is quoted too, so that no formula can begin after it.
 */
const NEEDS_QUOTES_NEUTRALISED = /[",\n\r;\t]/;

const quoted = (text: string) => `"${text.includes('"') ? text.replaceAll('"', '""') : text}"`;

function rawText(text: string): string {
  return NEEDS_QUOTES.test(text) ? quoted(text) : text;
}

/**
 * Only strings are checked: typed numbers (a JSON number such as -5) are written as they are. A
 * formula start gets a leading `'` and quotes, so the `'` and what follows stay one cell whatever
 * separator the reader assumes.
 */
function neutralisedText(text: string): string {
  if (opensFormula(text)) return quoted(`'${text}`);
  return NEEDS_QUOTES_NEUTRALISED.test(text) ? quoted(text) : text;
}

type TextCell = (text: string) => string;

/** One value as a cell; JSON values are cells of their JSON text, checked like any text. */
function cell(value: JsonValue | undefined, text: TextCell): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? '' : text(value);
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? '' : text(JSON.stringify(value));
    default:
      return '';
  }
}

/** CSV lines for `rows`, each ended by `\n`; an empty batch is the empty string. */
export function csvText(rows: readonly (readonly (JsonValue | undefined)[])[], cells: CsvCells): string {
  const text = cells === 'raw' ? rawText : neutralisedText;
  let out = '';
  for (const row of rows) {
    // Appending piece by piece: a `${cell},` first would make one more string per cell.
    for (let i = 0; i < row.length; i++) {
      if (i > 0) out += ',';
      out += cell(row[i], text);
    }
    out += '\n';
  }
  return out;
}
