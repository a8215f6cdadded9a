/**
 * The statements a report may run (SPEC §11: read-only, single statement). The drivers already
 * run every report read-only; this allow-list is the first wall, in front of them: it refuses,
 * before anything reaches a database, what a read-only session does not stop everywhere (MySQL
 * `SELECT … INTO OUTFILE`, PostgreSQL `COPY … TO PROGRAM` for a privileged user) and anything
 * that is not plainly a query.
 *
 * It reads only code — the scanner's literals, quoted identifiers and comments are skipped — so
 * the same words inside `'…'`, `"…"` or `-- …` stay allowed. It does not inspect functions
 * (`pg_read_file`, `sleep`): the database user's privileges govern those. The exceptions are the
 * two ways a SELECT leaves state on a pooled connection for the next caller's run: MySQL user
 * variables assigned with `:=` and PostgreSQL's `set_config()`.
 */
import type { DriverName } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';
import { dialects } from './dialects.ts';
import { isWordPart, isWordStart, scanSql } from './sql-scanner.ts';

/** Statements that only describe another one; with ANALYZE they would run it. */
const EXPLAINING = new Set(['explain', 'describe', 'desc']);

/**
 * Words refused anywhere in code, with why. Read-only statements never need them, and they are
 * how a read could write: `SELECT … INTO`, a data-modifying CTE (`WITH x AS (DELETE …)`), `COPY`.
 */
const REFUSED_WORDS: Record<string, string> = {
  into: 'SELECT … INTO writes a table, variables or a file',
  copy: 'COPY reads and writes server files and runs programs',
  do: 'DO runs procedural code',
  call: 'CALL runs a stored procedure',
  insert: 'INSERT changes data, also inside WITH',
  update: 'UPDATE changes data, also inside WITH, and FOR UPDATE locks rows',
  delete: 'DELETE changes data, also inside WITH',
};

interface Token {
  /** A lower-cased word, or one punctuation character. */
  text: string;
  word: boolean;
}

/** A number glued to a word (`1into`) is read by PostgreSQL 15 as two tokens; skip the number. */
const NUMBER = /0[xob][0-9a-f_]*|[0-9][0-9_]*(?:e[+-]?[0-9]+)?/iy;

/** The words and punctuation of the code parts of `sql`, in order. */
function codeTokens(sql: string, dialect: DriverName): Token[] {
  const tokens: Token[] = [];
  for (const segment of scanSql(sql, dialect)) {
    if (segment.kind !== 'code') continue;
    let i = segment.start;
    while (i < segment.end) {
      const code = sql.charCodeAt(i);
      if (isWordStart(code)) {
        let end = i + 1;
        while (end < segment.end && isWordPart(sql.charCodeAt(end))) end += 1;
        tokens.push({ text: sql.slice(i, end).toLowerCase(), word: true });
        i = end;
      } else if (code >= 48 && code <= 57) {
        NUMBER.lastIndex = i;
        NUMBER.exec(sql);
        i = Math.min(NUMBER.lastIndex, segment.end);
      } else {
        if (code > 32) tokens.push({ text: sql[i] ?? '', word: false });
        i += 1;
      }
    }
  }
  return tokens;
}

function listOf(words: readonly string[]): string {
  const shown = words.filter((word) => word !== 'desc').map((word) => word.toUpperCase());
  return `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

function refuse(detail: string): never {
  throw new AppError('bad_request', `Report SQL must be one read-only statement${detail}`);
}

/**
 * Throws `bad_request`, naming what it found, unless `sql` is one read-only statement for
 * `dialect`: it starts (after any opening parentheses) with an allowed word, holds none of the
 * refused words, no EXPLAIN ANALYZE, and nothing after a `;`. Applied to rendered report SQL
 * before every run, and to the template text when a report is saved.
 */
export function assertReadOnlyStatement(sql: string, dialect: DriverName): void {
  // The check is a pure function of the text: a report's SQL, rendered the same way call after
  // call, is scanned once. Only passes are remembered; a refusal is worked out every time.
  const key = `${dialect}\u0000${sql}`;
  if (provenReadOnly.has(key)) return;
  checkReadOnly(sql, dialect);
  if (sql.length > PROVEN_MAX_LENGTH) return;
  if (provenReadOnly.size >= PROVEN_KEPT)
    provenReadOnly.delete(provenReadOnly.values().next().value as string);
  provenReadOnly.add(key);
}

/** Statement texts (with their dialect) that passed the check, oldest first. */
const provenReadOnly = new Set<string>();
const PROVEN_KEPT = 1000;
/** Longer texts (a rendered list of many values) are checked every time, so the set stays small. */
const PROVEN_MAX_LENGTH = 4096;

function checkReadOnly(sql: string, dialect: DriverName): void {
  const tokens = codeTokens(sql, dialect);
  const { leadingWords: allowed, refusedPairs } = dialects[dialect].statements;
  const first = tokens.find((token) => token.text !== '(');
  if (!first) refuse(`; it is empty (nothing but comments and whitespace)`);
  if (!first.word || !allowed.includes(first.text)) {
    refuse(` starting with ${listOf(allowed)} (found ${first.text.toUpperCase().slice(0, 40)})`);
  }
  for (const [index, token] of tokens.entries()) {
    const next = tokens[index + 1];
    if (token.text === ';' && next) refuse(`; found more SQL after ";"`);
    const pair = refusedPairs.find(
      (refused) => refused.first === token.text && refused.second === next?.text,
    );
    if (pair) refuse(`; found ${pair.found}`);
    if (!token.word) continue;
    const reason = Object.hasOwn(REFUSED_WORDS, token.text) ? REFUSED_WORDS[token.text] : undefined;
    // MySQL's INSERT(str, pos, len, new) is a string function, not a statement.
    if (reason && !(token.text === 'insert' && next?.text === '(')) {
      refuse(`; found ${token.text.toUpperCase()} outside literals and comments (${reason})`);
    }
    if (token.text === 'load' && (next?.text === 'data' || next?.text === 'xml')) {
      refuse(`; found LOAD ${next.text.toUpperCase()} (it reads files into tables)`);
    }
    if ((token.text === 'analyze' || token.text === 'analyse') && EXPLAINING.has(first.text)) {
      refuse(`; found ${first.text.toUpperCase()} ANALYZE, which runs the statement it explains`);
    }
  }
}

/**
 * The template's SQL with its Nunjucks tags taken out: `{% … %}` and `{# … #}` become a space and
 * each printed `{{ … }}` a NULL, so every branch of the template is checked at once.
 */
function templateSkeleton(template: string): string {
  return template
    .replace(/\{#[\s\S]*?#\}/g, ' ')
    .replace(/\{%[\s\S]*?%\}/g, ' ')
    .replace(/\{\{[\s\S]*?\}\}/g, ' NULL ');
}

/**
 * The save-time form of `assertReadOnlyStatement`, for a report's SQL template before it is
 * rendered. The run-time check on the rendered SQL stays the authority.
 */
export function assertReadOnlyTemplate(template: string, dialect: DriverName): void {
  assertReadOnlyStatement(templateSkeleton(template), dialect);
}
