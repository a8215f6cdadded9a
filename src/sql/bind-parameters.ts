/**
 * Turns `:name` bind variables into the driver's placeholders (SPEC §4.5). Request values only
 * ever travel in the `values` array: the SQL text that reaches the database depends on the
 * statement and on the *shape* of the parameters (how many elements a list has), never on their
 * contents.
 */
import type { BindValue, DriverName } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';
import { dialects } from './dialects.ts';
import { isWordPart, isWordStart, scanSql } from './sql-scanner.ts';

/** The SQL dialect decides placeholders, quoting and comment rules; it is the driver's name. */
export type Dialect = DriverName;

/** A parameter is a single value, or a list that expands to one placeholder per element. */
export type ParamValue = BindValue | BindValue[];

/** The statement for the driver: placeholders in its dialect, and one value per placeholder. */
export interface BoundStatement {
  sql: string;
  values: BindValue[];
}

type OnBind = (name: string) => string;

/**
 * Rebuilds `sql` with each `:name` in code (outside literals, quoted identifiers, comments and
 * dollar quotes; `::` casts and `:=` are not binds) replaced by `onBind(name)`. With `strict`,
 * positional placeholders written in the SQL are refused.
 */
function rewriteBinds(sql: string, dialect: Dialect, onBind: OnBind, strict: boolean): string {
  let out = '';
  for (const segment of scanSql(sql, dialect)) {
    const text = sql.slice(segment.start, segment.end);
    out = segment.kind === 'code' ? rewriteCode(text, out, dialect, onBind, strict) : out + text;
  }
  return out;
}

/** Appends `code` to `before` with its bind variables replaced. */
function rewriteCode(
  code: string,
  before: string,
  dialect: Dialect,
  onBind: OnBind,
  strict: boolean,
): string {
  let out = before;
  let i = 0;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (isWordStart(c)) {
      // Whole words are copied as they are, so `col$1` is not mistaken for a placeholder.
      let end = i + 1;
      while (end < code.length && isWordPart(code.charCodeAt(end))) end += 1;
      out += code.slice(i, end);
      i = end;
    } else if (code[i] === ':' && code[i + 1] === ':') {
      out += '::'; // a Postgres cast (`x::text`): the type name after it is not a bind variable
      i += 2;
    } else if (code[i] === ':' && isNameStart(code.charCodeAt(i + 1))) {
      let end = i + 2;
      while (end < code.length && isNamePart(code.charCodeAt(end))) end += 1;
      const name = code.slice(i + 1, end);
      refuseGluedAfter(name, code, end);
      // `THEN:a` must not become `THEN$1`, which Postgres reads as one identifier.
      if (isWordPart(out.charCodeAt(out.length - 1))) out += ' ';
      out += onBind(name);
      i = end;
    } else {
      if (strict) rejectPositional(code, i, dialect);
      out += code[i];
      i += 1;
    }
  }
  return out;
}

/**
 * A bind name is ASCII, so `:a$b` or `:café` would bind `:a` or `:caf` and leave the rest glued
 * to the placeholder (`$1$b`), where the database reads it as part of one token.
 */
function refuseGluedAfter(name: string, code: string, end: number): void {
  if (end < code.length && isWordPart(code.charCodeAt(end))) {
    throw new AppError(
      'bad_request',
      `The bind variable :${name} is directly followed by "${String.fromCodePoint(code.codePointAt(end) ?? 0)}"; bind names are ASCII letters, digits and _, so end the name with a space or an operator`,
    );
  }
}

/** Bind names are ASCII: `[A-Za-z_][A-Za-z0-9_]*`. */
function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * A placeholder written directly in the SQL would take the value meant for one of our own
 * placeholders (the values array is positional), so it is refused rather than silently shifted.
 * Only the dialect's own form counts: Postgres `?` is left alone, it is a JSON operator there.
 */
function rejectPositional(code: string, i: number, dialect: Dialect): void {
  const { mark, numbered } = dialects[dialect].placeholders;
  if (code[i] !== mark || (numbered && !/[0-9]/.test(code[i + 1] ?? ''))) return;
  throw new AppError(
    'bad_request',
    `The SQL contains a positional placeholder (${numbered ? `${mark}n` : mark}); use :name bind variables`,
  );
}

/**
 * The distinct `:name` bind variables of `sql`, in order of first appearance. The dialect only
 * matters for its quoting rules (MySQL `#` comments and backslash escapes); Postgres rules are
 * the default.
 */
export function findBindNames(sql: string, dialect: Dialect = 'postgres'): string[] {
  const names = new Set<string>();
  const collect = (name: string): string => {
    names.add(name);
    return '';
  };
  rewriteBinds(sql, dialect, collect, false);
  return [...names];
}

/** A name absent from `params` binds NULL, like a missing optional parameter (SPEC §4.3). */
function paramValue(params: Record<string, ParamValue>, name: string): ParamValue {
  // Own properties only: `:constructor` must not find Object.prototype.constructor.
  return Object.hasOwn(params, name) ? (params[name] ?? null) : null;
}

/**
 * An empty list becomes a single NULL so `in (:ids)` is `in (NULL)`, which matches nothing,
 * instead of the syntax error `in ()`.
 */
function elementsOf(value: ParamValue): BindValue[] {
  if (!Array.isArray(value)) return [value];
  return value.length === 0 ? [null] : value;
}

/**
 * Replaces every `:name` in code with the dialect's placeholder (src/sql/dialects.ts) and
 * collects the values.
 *
 * - numbered (postgres): `$1, $2, …`; a name used twice reuses its numbers, so
 *   `:x is null or a = :x` becomes `$1 is null or a = $1` and Postgres infers one type for both.
 * - unnumbered (mysql, sqlite): `?` per occurrence, the value repeated in `values`.
 * - A list expands to one placeholder per element (`in (:ids)` → `in ($1, $2, $3)`).
 * - A placeholder right after a word character gets a space before it (`THEN:a` → `THEN $1`),
 *   and a name directly followed by a word character that cannot be part of it is refused.
 *
 * Throws `bad_request` when the SQL itself contains positional placeholders (`?`, `$1`).
 */
export function bindParameters(
  sql: string,
  params: Record<string, ParamValue>,
  dialect: Dialect,
): BoundStatement {
  const { mark, numbered } = dialects[dialect].placeholders;
  const values: BindValue[] = [];
  const byName = new Map<string, string>();
  const placeholderFor = (name: string): string => {
    const known = byName.get(name);
    if (known !== undefined) return known;
    const elements = elementsOf(paramValue(params, name));
    const placeholders = elements.map((element) => {
      values.push(element);
      return numbered ? `${mark}${values.length}` : mark;
    });
    const text = placeholders.join(', ');
    if (numbered) byName.set(name, text);
    return text;
  };
  return { sql: rewriteBinds(sql, dialect, placeholderFor, true), values };
}
