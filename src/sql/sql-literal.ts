/**
 * Renders a value as an SQL literal for the SQL template renderer (SPEC §4.4). Bind variables are
 * the normal way to pass values; this exists for the values a template prints with `{{ }}`.
 *
 * Every output is one self-contained token run — a quoted string, a number in parentheses when
 * negative, a keyword, or a comma-separated list of those — so it cannot end a literal, open a
 * comment, or merge with the text around it.
 */
import { AppError } from '../errors.ts';
import type { Dialect } from './bind-parameters.ts';
import { dialects } from './dialects.ts';

/**
 * Renders `value` as a literal in `dialect`:
 * null/undefined → `NULL`; booleans as the dialect writes them (`TRUE`/`FALSE`, SQLite `1`/`0`);
 * finite numbers and bigints as digits (negative ones in parentheses); non-finite numbers and
 * invalid dates → `NULL`; strings single-quoted; Dates as a quoted ISO-8601 string; arrays as
 * comma-separated literals (for `in ({{ list }})`; empty → `NULL`); plain objects as a quoted
 * JSON string.
 *
 * Throws `bad_request` for strings holding a NUL character and for values that have no literal
 * form (functions, symbols, class instances).
 */
export function escapeSqlLiteral(value: unknown, dialect: Dialect): string {
  switch (typeof value) {
    case 'undefined':
      return 'NULL';
    case 'boolean':
      return value ? dialects[dialect].literals.booleans.true : dialects[dialect].literals.booleans.false;
    case 'number':
      return Number.isFinite(value) ? signed(String(value)) : 'NULL';
    case 'bigint':
      return signed(value.toString());
    case 'string':
      return quoteString(value, dialect);
    case 'object':
      return value === null ? 'NULL' : objectLiteral(value, dialect);
    default:
      throw new AppError('bad_request', `A ${typeof value} cannot be printed into SQL`);
  }
}

/** `-5` after a template's own `-` would read `--5`, a comment; `(-5)` cannot. */
function signed(digits: string): string {
  return digits.startsWith('-') ? `(${digits})` : digits;
}

function objectLiteral(value: object, dialect: Dialect): string {
  if (Array.isArray(value)) {
    return value.length === 0
      ? 'NULL'
      : value.map((element) => escapeSqlLiteral(element, dialect)).join(', ');
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'NULL' : quoteString(value.toISOString(), dialect);
  }
  // String objects, including Nunjucks SafeStrings from filters such as `escape`: their text is
  // still data, never SQL.
  if (value instanceof String) return quoteString(String(value), dialect);
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new AppError('bad_request', 'An object printed into SQL cannot be written as JSON', {
        cause: error,
      });
    }
    return quoteString(json, dialect);
  }
  throw new AppError(
    'bad_request',
    `A ${prototype?.constructor?.name ?? 'object'} cannot be printed into SQL`,
  );
}

/**
 * Single-quotes `text`, doubling `'`. Backslashes need care per dialect (its `literals.backslash`
 * rule in src/sql/dialects.ts):
 * - postgres (`escape-string`): with `standard_conforming_strings` on (the default) a backslash is an ordinary
 *   character, but with it off `'\'` would not end the literal. An `E'…'` literal reads
 *   backslashes as escapes under either setting, so text with a backslash is written as `E'…'`
 *   with each backslash doubled.
 * - mysql (`doubled`): backslash is an escape in literals by default, so it is doubled. `''` (not `\'`) keeps
 *   the literal closed even under `NO_BACKSLASH_ESCAPES`.
 * - sqlite (`ordinary`): backslash is an ordinary character.
 * NUL is refused: Postgres cannot store it in text, and the template renderer relies on printed
 * values never containing it.
 */
function quoteString(text: string, dialect: Dialect): string {
  if (text.includes('\u0000')) {
    throw new AppError('bad_request', 'A value printed into SQL contains a NUL character');
  }
  const quoted = text.replaceAll("'", "''");
  const backslash = dialects[dialect].literals.backslash;
  if (!text.includes('\\') || backslash === 'ordinary') return `'${quoted}'`;
  const doubled = quoted.replaceAll('\\', '\\\\');
  return backslash === 'escape-string' ? `E'${doubled}'` : `'${doubled}'`;
}
