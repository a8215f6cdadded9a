/**
 * Renders a report's SQL body as a Jinja2-style template (SPEC §4.4). The template decides the
 * shape of the query; values normally travel as bind variables (`:name`), and anything printed
 * with `{{ }}` is written as an SQL literal for the dialect — except access-group fragments,
 * which the server marks as trusted SQL.
 *
 * Escaping is only sound where a literal is expected, so after rendering, every printed value
 * is located in the output (between NUL markers that nothing else can produce) and the output is
 * scanned with the same lexer the binder uses: a value that lands inside quotes, a quoted
 * identifier or a comment (`'{{ x }}'`, `-- {{ x }}`), or glued to a word (`E{{ x }}`), is
 * refused instead of being allowed to change how the statement parses.
 */
import { AppError } from '../errors.ts';
import {
  createHardenedEnvironment,
  forbiddenConstruct,
  type HardenedEnvironment,
} from '../templates/hardened-nunjucks.ts';
import type { Dialect } from './bind-parameters.ts';
import { escapeSqlLiteral } from './sql-literal.ts';
import { isWordPart, scanSql } from './sql-scanner.ts';

/** Printed values are wrapped in these; NUL cannot occur in a template, a literal or a fragment. */
const START = '\u0000\u0001';
const END = '\u0000\u0002';

/**
 * SQL that is printed as it is: trusted fragments and already-rendered output (macro results).
 * It behaves like a string for filters (its prototype chain includes `String.prototype`), but a
 * filter's result is a new plain string, so filtering trusted SQL makes it a value again.
 */
class TrustedSql {
  readonly length: number;
  constructor(readonly sql: string) {
    this.length = sql.length;
  }
  toString(): string {
    return this.sql;
  }
  valueOf(): string {
    return this.sql;
  }
}
Object.setPrototypeOf(TrustedSql.prototype, String.prototype);

/**
 * Marks server-built SQL (a row-level-security fragment such as `host_id=1`) to be printed raw by
 * `{{ }}`. Only server code can call this; nothing a request or a template provides becomes
 * trusted. Like a string, an empty fragment is false in `{% if %}`.
 */
export function trustedSqlFragment(sql: string): unknown {
  if (sql.includes('\u0000')) {
    throw new AppError('internal', 'A trusted SQL fragment contains a NUL character');
  }
  return new TrustedSql(sql);
}

function printer(dialect: Dialect): (value: unknown) => string {
  return (value) => {
    if (value instanceof TrustedSql) return value.sql;
    if ((typeof value === 'string' || value instanceof String) && String(value).includes('\u0000')) {
      // Rendered output that went through a filter or a `{% set %}` block is a plain string again.
      throw new AppError(
        'bad_request',
        'The SQL template prints filtered macro output, a {% set %} block, or a value containing a NUL character',
      );
    }
    return START + escapeSqlLiteral(value, dialect) + END;
  };
}

/** `| safe` would print request values raw; in SQL only the server can mark text as trusted. */
function refuseSafe(): never {
  throw forbiddenConstruct('the "safe" filter (use a bind variable, or ask for an access-group fragment)');
}

const environments = new Map<Dialect, HardenedEnvironment>();

function environmentFor(dialect: Dialect): HardenedEnvironment {
  let env = environments.get(dialect);
  if (!env) {
    env = createHardenedEnvironment({
      label: 'SQL',
      print: printer(dialect),
      renderedOutput: TrustedSql,
      filters: { safe: refuseSafe },
    });
    environments.set(dialect, env);
  }
  return env;
}

interface Span {
  start: number;
  end: number;
}

/** Removes the markers, returning the SQL and where each printed value sits in it. */
function unmark(marked: string): { sql: string; spans: Span[] } {
  const spans: Span[] = [];
  let sql = '';
  let from = 0;
  let open: number | undefined;
  for (let at = marked.indexOf('\u0000'); at !== -1; at = marked.indexOf('\u0000', from)) {
    sql += marked.slice(from, at);
    const marker = marked.slice(at, at + 2);
    if (marker === START && open === undefined) {
      open = sql.length;
    } else if (marker === END && open !== undefined) {
      spans.push({ start: open, end: sql.length });
      open = undefined;
    } else {
      throw new AppError('internal', 'Rendered SQL has unbalanced value markers');
    }
    from = at + 2;
  }
  return { sql: sql + marked.slice(from), spans };
}

function lineAt(sql: string, offset: number): number {
  let line = 1;
  for (let i = sql.indexOf('\n'); i !== -1 && i < offset; i = sql.indexOf('\n', i + 1)) line += 1;
  return line;
}

/**
 * Every printed value must be whole tokens in code: each opaque run (literal, quoted identifier,
 * comment) is either entirely inside the value or entirely outside it, and the value does not
 * continue a word (`E'…'`, `N'…'`, `_utf8'…'`, MySQL `@'…'`, Postgres `U&'…'` change its meaning).
 */
function checkPlacement(sql: string, spans: Span[], dialect: Dialect): void {
  const segments = scanSql(sql, dialect).filter((segment) => segment.kind !== 'code');
  let s = 0;
  for (const span of spans) {
    while (s < segments.length && segments[s]!.end <= span.start) s += 1;
    let straddles = false;
    for (let k = s; k < segments.length && segments[k]!.start < span.end; k += 1) {
      const segment = segments[k]!;
      straddles ||= segment.start < span.start || segment.end > span.end;
    }
    const before = span.start > 0 ? sql.charCodeAt(span.start - 1) : 32;
    if (straddles || isWordPart(before) || before === 38 || before === 64) {
      throw new AppError(
        'bad_request',
        `The SQL template prints a value inside quotes, a quoted identifier or a comment, or glued to a word (line ${lineAt(sql, span.start)} of the rendered SQL); print it on its own, or use a :bind variable`,
      );
    }
  }
}

/**
 * Renders `template` with `context` for `dialect`. Every `{{ value }}` (filters included) is an
 * SQL literal from `escapeSqlLiteral`, except values made with `trustedSqlFragment` and macro
 * output; `| safe` is refused. Template syntax errors and forbidden constructs are `bad_request`
 * AppErrors naming the problem (and the line, when Nunjucks knows it).
 */
export function renderSqlTemplate(
  template: string,
  context: Record<string, unknown>,
  dialect: Dialect,
): string {
  if (template.includes('\u0000'))
    throw new AppError('bad_request', 'The SQL template contains a NUL character');
  // Every template construct starts with "{" ({{ }}, {% %}, {# #}): without one the template is
  // its own output and prints no value, so there is nothing to render or to place.
  if (!template.includes('{')) return template;
  const { sql, spans } = unmark(environmentFor(dialect).render(template, context));
  checkPlacement(sql, spans, dialect);
  return sql;
}
