/**
 * CSV injection (OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
 * a spreadsheet that opens a CSV file evaluates a cell beginning with `=`, `+`, `-` or `@` as a
 * formula, which can run commands (DDE) or send other cells to a web address (HYPERLINK).
 * Report values and column names come from databases and editors, so every text cell that
 * could start a formula is written with a leading `'`, which spreadsheets show as text, and is
 * quoted, so neither a comma, a `;` list separator nor a quote inside it can start a new cell.
 */

/**
 * Formula starts: `=` `+` `-` `@`, and their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20),
 * which some spreadsheet programs fold to ASCII while importing.
 */
const FORMULA_START = new Set([0x3d, 0x2b, 0x2d, 0x40, 0xff1d, 0xff0b, 0xff0d, 0xff20]);

/**
 * What may stand before a formula start and still let a spreadsheet see it: whitespace
 * (JavaScript `\s`: space, tab, line breaks, no-break and other Unicode spaces, BOM),
 * zero-width characters, and single or double quotes, which importers may trim or strip.
 */
const SKIPPED_LEAD = /^[\s\u200b-\u200d\u2060"']*/;

/** A plain decimal number is read as that number, never as a formula: `-5`, `-0.25`, `-1e-7`. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * True when `text`, as a CSV cell, could be taken as a formula: it begins with tab or carriage
 * return, or its first character after leading whitespace and quotes is a formula start —
 * except a string that is exactly a plain number (a bigint or numeric a driver gave as text).
 */
export function opensFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  // Digits, letters and most ASCII punctuation: the common case, decided at once.
  if ((first >= 0x30 && first <= 0x39) || (first > 0x40 && first < 0x7f)) return false;
  if (first === 0x09 || first === 0x0d) return true;
  const lead = SKIPPED_LEAD.exec(text)?.[0].length ?? 0;
  if (!FORMULA_START.has(text.charCodeAt(lead))) return false;
  return lead > 0 || !PLAIN_NUMBER.test(text);
}

/** The cell text a spreadsheet shows as text: a `'` before a value that could start a formula. */
export function neutraliseCell(text: string): string {
  return opensFormula(text) ? `'${text}` : text;
}
