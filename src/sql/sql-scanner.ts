/**
 * A small SQL lexer that splits a statement into code and opaque runs (string literals, quoted
 * identifiers, comments, dollar quotes). It is the one place that applies each dialect's quoting
 * rules (its row of src/sql/dialects.ts), so the binder (which may only touch `:name` in code) and
 * the SQL template renderer (which must prove every printed value landed in code) cannot disagree
 * about where a literal ends.
 *
 * It only has to be exact about where opaque runs start and end; it does not validate SQL.
 * An unterminated run extends to the end of the text, which keeps everything after it opaque:
 * the database then rejects the statement, and nothing after the stray quote is ever bound.
 *
 * Where the server reads text in a way one lexer cannot follow, the scanner refuses the SQL
 * rather than guess: MySQL/MariaDB executable comments (`/*! … *\/`) run or are skipped
 * depending on the server's version.
 */
import type { DriverName } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';
import { dialects, type LexicalRules } from './dialects.ts';

export type SqlSegmentKind = 'code' | 'string' | 'identifier' | 'comment';

/** A half-open range `[start, end)` of the scanned text. */
export interface SqlSegment {
  kind: SqlSegmentKind;
  start: number;
  end: number;
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** Letters, `_` and any non-ASCII character may start an identifier or keyword in every dialect. */
export function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128;
}

/** Digits and `$` may continue a word (`col$1`, `t2`); a `$` inside a word never opens a dollar quote. */
export function isWordPart(code: number): boolean {
  return isWordStart(code) || (code >= 48 && code <= 57) || code === 36;
}

/**
 * Splits `sql` into consecutive segments covering the whole text, in order. Adjacent code is
 * merged into one segment; opaque runs are reported one by one.
 */
export function scanSql(sql: string, dialect: DriverName): SqlSegment[] {
  const rules = dialects[dialect].lexical;
  const segments: SqlSegment[] = [];
  let codeStart = 0;
  let i = 0;
  while (i < sql.length) {
    const code = sql.charCodeAt(i);
    if (isWordStart(code)) {
      const wordEnd = skipWord(sql, i);
      // `E'…'` (either case) is the one prefix that changes how the literal is read:
      // backslashes escape, so `E'\''` is a single quote and not the end of the string.
      if (rules.escapeStrings && wordEnd === i + 1 && (code === 69 || code === 101) && sql[wordEnd] === "'") {
        const end = stringEnd(sql, quotedEnd(sql, wordEnd, "'", true), true, rules);
        i = pushOpaque(segments, codeStart, i, 'string', end);
        codeStart = i;
      } else {
        i = wordEnd;
      }
      continue;
    }
    const opaque = opaqueAt(sql, i, rules);
    if (opaque === undefined) {
      i += 1;
      continue;
    }
    i = pushOpaque(segments, codeStart, i, opaque.kind, opaque.end);
    codeStart = i;
  }
  if (codeStart < sql.length) segments.push({ kind: 'code', start: codeStart, end: sql.length });
  return segments;
}

function pushOpaque(
  segments: SqlSegment[],
  codeStart: number,
  start: number,
  kind: SqlSegmentKind,
  end: number,
): number {
  if (codeStart < start) segments.push({ kind: 'code', start: codeStart, end: start });
  segments.push({ kind, start, end });
  return end;
}

function skipWord(sql: string, start: number): number {
  let j = start + 1;
  while (j < sql.length && isWordPart(sql.charCodeAt(j))) j += 1;
  return j;
}

/** The opaque run starting at `i`, if one does, with its end. */
function opaqueAt(
  sql: string,
  i: number,
  rules: LexicalRules,
): { kind: SqlSegmentKind; end: number } | undefined {
  const c = sql[i];
  const next = sql[i + 1];
  switch (c) {
    case "'": {
      // Where backslash escapes in plain literals, it does unless NO_BACKSLASH_ESCAPES (pinned off).
      const backslash = rules.backslashInStrings;
      return { kind: 'string', end: stringEnd(sql, quotedEnd(sql, i, "'", backslash), backslash, rules) };
    }
    case '"':
      return rules.doubleQuoted === 'string'
        ? { kind: 'string', end: quotedEnd(sql, i, '"', true) }
        : { kind: 'identifier', end: quotedEnd(sql, i, '"', false) };
    case '`':
      return rules.backtickIdentifiers
        ? { kind: 'identifier', end: quotedEnd(sql, i, '`', false) }
        : undefined;
    case '[': {
      if (!rules.bracketIdentifiers) return undefined;
      const close = sql.indexOf(']', i + 1);
      return { kind: 'identifier', end: close === -1 ? sql.length : close + 1 };
    }
    case '-':
      return next === '-' && startsLineComment(sql, i, rules)
        ? { kind: 'comment', end: lineEnd(sql, i, rules) }
        : undefined;
    case '#':
      return rules.hashComments ? { kind: 'comment', end: lineEnd(sql, i, rules) } : undefined;
    case '/':
      if (next === '*' && rules.executableComments) refuseExecutableComment(sql, i);
      return next === '*'
        ? { kind: 'comment', end: blockCommentEnd(sql, i, rules.nestedBlockComments) }
        : undefined;
    case '$':
      return rules.dollarQuotes ? dollarQuoteAt(sql, i) : undefined;
    default:
      return undefined;
  }
}

/** The end of a `'…'` string whose first part ends at `end`, continued where the dialect joins parts. */
function stringEnd(sql: string, end: number, backslash: boolean, rules: LexicalRules): number {
  return rules.continuedStrings ? continuedStringEnd(sql, end, backslash) : end;
}

/**
 * End (exclusive) of a quoted run opened at `start`. A doubled quote is an escaped quote in every
 * dialect; with `backslash`, a backslash also escapes the character after it.
 */
function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === '\\') {
      j += 2;
    } else if (c === quote) {
      if (sql[j + 1] !== quote) return j + 1;
      j += 2;
    } else {
      j += 1;
    }
  }
  return sql.length;
}

/**
 * PostgreSQL (`continuedStrings`) joins string constants separated by whitespace that holds a
 * newline, with `--` comments allowed in between (SQL standard; `/* *\/` comments are not
 * allowed there): `E'a'⏎'\' b'` is the one string `a' b`. Every part is read with the first
 * part's rules, so a continued `E''` string keeps its backslash escapes. Returns the end of the
 * last part.
 */
function continuedStringEnd(sql: string, end: number, backslash: boolean): number {
  let last = end;
  for (let next = continuationAt(sql, last); next !== -1; next = continuationAt(sql, last)) {
    last = quotedEnd(sql, next, "'", backslash);
  }
  return last;
}

/** Where the next part of a continued string opens, or -1 when the string ended at `end`. */
function continuationAt(sql: string, end: number): number {
  if (end >= sql.length) return -1; // also an unterminated string: nothing can continue it
  let sawNewline = false;
  let j = end;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\n' || c === '\r') {
      sawNewline = true;
      j += 1;
    } else if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      // \v counts from PostgreSQL 16 on; older servers refuse it, so reading it as space is safe.
      j += 1;
    } else if (c === '-' && sql[j + 1] === '-') {
      while (j < sql.length && sql[j] !== '\n' && sql[j] !== '\r') j += 1;
    } else {
      break;
    }
  }
  return sawNewline && sql[j] === "'" ? j : -1;
}

/**
 * MySQL runs the body of `/*! … *\/` (and `/*!50000 … *\/`, MariaDB `/*M! … *\/`) as SQL, or
 * skips it, depending on the server's version. Reading the body as code would still guess the
 * version, and reading it as a comment lets a quote in it end a literal the server sees, so
 * such comments are refused.
 */
function refuseExecutableComment(sql: string, i: number): void {
  const marker =
    sql[i + 2] === '!' ? '/*!' : /[Mm]/.test(sql[i + 2] ?? '') && sql[i + 3] === '!' ? '/*M!' : '';
  if (marker === '') return;
  throw new AppError(
    'bad_request',
    `The SQL contains a MySQL/MariaDB executable comment (${marker} … */); the server runs its contents as SQL, so write them as plain SQL or remove them`,
  );
}

/** MySQL needs whitespace or a control character after `--` (`1--1` is arithmetic there). */
function startsLineComment(sql: string, i: number, rules: LexicalRules): boolean {
  if (!rules.lineCommentNeedsSpace) return true;
  const after = sql.charCodeAt(i + 2);
  return Number.isNaN(after) || after <= 32;
}

/** Postgres ends a line comment at CR or LF; MySQL and SQLite only at LF. */
function lineEnd(sql: string, i: number, rules: LexicalRules): number {
  for (let j = i; j < sql.length; j += 1) {
    const c = sql[j];
    if (c === '\n' || (c === '\r' && rules.lineCommentEndsAtCarriageReturn)) return j;
  }
  return sql.length;
}

/** Postgres nests block comments (`/* a /* b *\/ still comment *\/`); MySQL and SQLite do not. */
function blockCommentEnd(sql: string, start: number, nested: boolean): number {
  let depth = 1;
  let j = start + 2;
  while (j < sql.length) {
    if (sql[j] === '*' && sql[j + 1] === '/') {
      depth -= 1;
      j += 2;
      if (depth === 0 || !nested) return j;
    } else if (nested && sql[j] === '/' && sql[j + 1] === '*') {
      depth += 1;
      j += 2;
    } else {
      j += 1;
    }
  }
  return sql.length;
}

/** `$$…$$` or `$tag$…$tag$`; `$1` (a positional parameter) is not a dollar quote. */
function dollarQuoteAt(sql: string, i: number): { kind: SqlSegmentKind; end: number } | undefined {
  DOLLAR_TAG.lastIndex = i;
  const match = DOLLAR_TAG.exec(sql);
  if (!match) return undefined;
  const tag = match[0];
  const close = sql.indexOf(tag, i + tag.length);
  return { kind: 'string', end: close === -1 ? sql.length : close + tag.length };
}
