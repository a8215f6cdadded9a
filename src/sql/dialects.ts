/**
 * The SQL rules of each report database, as data: how its text is quoted and commented (for the
 * scanner), how it writes placeholders (for the binder), how it reads string and boolean
 * literals (for the template renderer) and which statements a report may be (for the
 * allow-list). The code in src/sql/ reads these rows and never asks which database it is
 * talking to, so a new driver adds a row here, not branches there.
 *
 * The table is keyed by the driver names of the registry (src/datasources/registry.ts): a driver
 * registered without a row, or a row for no driver, is a compile error.
 */
import type { DriverName } from '../datasources/driver.ts';

/** The quoting and comment syntax the scanner follows to find where literals and comments end. */
export interface LexicalRules {
  /** A backslash escapes the next character inside a plain `'…'` literal (MySQL's default mode). */
  backslashInStrings: boolean;
  /** `E'…'` (either case) is a string whose backslashes escape, whatever the server settings. */
  escapeStrings: boolean;
  /** String constants separated by whitespace holding a newline are one string (SQL standard). */
  continuedStrings: boolean;
  /** What `"…"` is: a quoted identifier, or a string literal with backslash escapes. */
  doubleQuoted: 'identifier' | 'string';
  /** `` `…` `` quotes an identifier. */
  backtickIdentifiers: boolean;
  /** `[…]` quotes an identifier (no escapes; it ends at the first `]`). */
  bracketIdentifiers: boolean;
  /** `#` starts a comment to the end of the line. */
  hashComments: boolean;
  /** `--` starts a comment only when whitespace or a control character follows it (`1--1` is arithmetic). */
  lineCommentNeedsSpace: boolean;
  /** A carriage return ends a line comment, not only a line feed. */
  lineCommentEndsAtCarriageReturn: boolean;
  /** Block comments nest (`/* a /* b *\/ still comment *\/`). */
  nestedBlockComments: boolean;
  /** `/*! … *\/` and `/*M! … *\/` are run as SQL by some server versions; the scanner refuses them. */
  executableComments: boolean;
  /** `$$…$$` and `$tag$…$tag$` quote a string. */
  dollarQuotes: boolean;
}

/** How the driver expects the values of a statement to be marked in its text. */
export interface PlaceholderRules {
  /** The character that marks a placeholder: `$` in `$1`, or `?`. */
  mark: '$' | '?';
  /**
   * Numbered placeholders (`$1, $2, …`): a name used twice reuses its numbers, so the database
   * infers one type for both uses. Unnumbered ones (`?`) take one value per occurrence.
   */
  numbered: boolean;
}

/** How a value printed into SQL by a template is written as a literal. */
export interface LiteralRules {
  /** The literals for true and false. */
  booleans: { true: string; false: string };
  /**
   * How a string holding a backslash is written so the backslash stays an ordinary character:
   * `ordinary` — it already is; `doubled` — each backslash is doubled (backslash escapes in
   * literals, and `''` keeps the literal closed even when they are off); `escape-string` —
   * doubled inside `E'…'`, which reads backslashes as escapes under every server setting.
   */
  backslash: 'ordinary' | 'doubled' | 'escape-string';
}

/** Two adjacent code tokens that a read-only report statement may not hold. */
export interface RefusedPair {
  first: string;
  second: string;
  /** Completes "Report SQL must be one read-only statement; found …". */
  found: string;
}

/** What a report statement may be in this dialect (src/sql/read-only-statement.ts). */
export interface StatementRules {
  /**
   * The words a report statement may start with. EXPLAIN (never ANALYZE) plans without running;
   * MySQL/MariaDB also read with SHOW and DESCRIBE/DESC. SQLite and MariaDB have no TABLE statement.
   */
  leadingWords: readonly string[];
  /** Ways a SELECT leaves state on a pooled connection for the next caller's run. */
  refusedPairs: readonly RefusedPair[];
}

export interface DialectRules {
  lexical: LexicalRules;
  placeholders: PlaceholderRules;
  literals: LiteralRules;
  statements: StatementRules;
}

/** One row per registered driver. */
export const dialects: Record<DriverName, DialectRules> = {
  postgres: {
    lexical: {
      backslashInStrings: false,
      escapeStrings: true,
      continuedStrings: true,
      doubleQuoted: 'identifier',
      backtickIdentifiers: false,
      bracketIdentifiers: false,
      hashComments: false,
      lineCommentNeedsSpace: false,
      lineCommentEndsAtCarriageReturn: true,
      nestedBlockComments: true,
      executableComments: false,
      dollarQuotes: true,
    },
    // `?` is left alone in PostgreSQL code: it is a JSON operator there.
    placeholders: { mark: '$', numbered: true },
    literals: { booleans: { true: 'TRUE', false: 'FALSE' }, backslash: 'escape-string' },
    statements: {
      leadingWords: ['select', 'with', 'values', 'table', 'explain'],
      refusedPairs: [
        {
          first: 'set_config',
          second: '(',
          found: 'set_config(), which changes settings that outlive the run on a pooled connection',
        },
      ],
    },
  },
  mysql: {
    lexical: {
      backslashInStrings: true,
      escapeStrings: false,
      continuedStrings: false,
      // In MySQL's default mode a double-quoted text is a string literal, backslashes included.
      doubleQuoted: 'string',
      backtickIdentifiers: true,
      bracketIdentifiers: false,
      hashComments: true,
      lineCommentNeedsSpace: true,
      lineCommentEndsAtCarriageReturn: false,
      nestedBlockComments: false,
      executableComments: true,
      dollarQuotes: false,
    },
    placeholders: { mark: '?', numbered: false },
    literals: { booleans: { true: 'TRUE', false: 'FALSE' }, backslash: 'doubled' },
    statements: {
      leadingWords: ['select', 'with', 'values', 'table', 'show', 'describe', 'desc', 'explain'],
      refusedPairs: [
        {
          first: ':',
          second: '=',
          found: '":=", which sets a user variable that outlives the run on a pooled connection',
        },
      ],
    },
  },
  sqlite: {
    lexical: {
      backslashInStrings: false,
      escapeStrings: false,
      continuedStrings: false,
      doubleQuoted: 'identifier',
      backtickIdentifiers: true,
      bracketIdentifiers: true,
      hashComments: false,
      lineCommentNeedsSpace: false,
      lineCommentEndsAtCarriageReturn: false,
      nestedBlockComments: false,
      executableComments: false,
      dollarQuotes: false,
    },
    placeholders: { mark: '?', numbered: false },
    literals: { booleans: { true: '1', false: '0' }, backslash: 'ordinary' },
    statements: { leadingWords: ['select', 'with', 'values', 'explain'], refusedPairs: [] },
  },
};
