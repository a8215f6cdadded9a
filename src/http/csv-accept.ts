/**
 * Raw CSV on request. CSV cells are neutralised against spreadsheet formulas by default; a
 * machine caller that wants the values exactly as the database returned them sends the media
 * type parameter `Accept: text/csv; neutralise=false` (or `neutralize=false`). A header rather
 * than a query parameter: every query name may be a report field, and a link or form cannot set
 * a header, so a hostile link cannot hand someone a file that skips the guard.
 */
import { badRequest } from '../errors.ts';
import type { CsvCells } from '../services/csv-encoder.ts';

const PARAMETER_NAMES = new Set(['neutralise', 'neutralize']);

/** Name and value of one `name=value` media type parameter; quotes around the value dropped. */
function parameterOf(text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals < 0) return [text.trim().toLowerCase(), ''];
  const value = text.slice(equals + 1).trim();
  const unquoted =
    value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return [text.slice(0, equals).trim().toLowerCase(), unquoted.toLowerCase()];
}

/** `raw` when a `text/csv` range in `accept` says `neutralise=false`; a value other than true/false is a 400. */
export function csvCellsOf(accept: string | undefined): CsvCells {
  if (!accept) return 'neutralise';
  let cells: CsvCells = 'neutralise';
  for (const range of accept.split(',')) {
    const [type, ...parameters] = range.split(';');
    if (type?.trim().toLowerCase() !== 'text/csv') continue;
    for (const parameter of parameters) {
      const [name, value] = parameterOf(parameter);
      if (!PARAMETER_NAMES.has(name)) continue;
      if (value === 'false') cells = 'raw';
      else if (value !== 'true') {
        throw badRequest(`The Accept parameter "${name}" of text/csv must be true or false, not "${value}"`);
      }
    }
  }
  return cells;
}
