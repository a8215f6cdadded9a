/**
 * What a MySQL / MariaDB user may do beyond reading, from `SHOW GRANTS` (the current user's own
 * grants, and on MariaDB those of its current role). The check is an allow-list: every privilege
 * other than reading is a finding — FILE (`INTO OUTFILE`, `LOAD_FILE()`), SUPER and the MySQL 8
 * dynamic admin privileges, any write or DDL grant at global, database, table, column or routine
 * level, PROXY, and the grant option.
 */

/** The privileges a report user may hold. Everything else is named in the refusal. */
const READ_PRIVILEGES = new Set(['USAGE', 'SELECT', 'SHOW VIEW', 'SHOW DATABASES']);

/** `GRANT <privileges> ON [TABLE|FUNCTION|PROCEDURE|PACKAGE [BODY]] <target> TO …`; role grants have no ON. */
const GRANT_LINE =
  /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE\s+BODY|PACKAGE)\s+)?(\S+)\s+TO\s/is;

/** Column lists, `SELECT (`a`, `b`)`, which may hold commas and parentheses inside backticks. */
const COLUMN_LIST = /\s*\((?:`(?:[^`]|``)*`|[^()`])*\)/g;

/**
 * Findings completing "signs in as …", one per grant line that holds more than reading, e.g.
 * `a user with FILE on *.*`. Empty for a user that can only read.
 */
export function findingsOfGrants(lines: string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const match = GRANT_LINE.exec(line);
    if (!match) continue; // `GRANT role TO user`: the role's own grants are listed on their own lines
    const [, list = '', target = ''] = match;
    const extra = list
      .replace(COLUMN_LIST, '')
      .split(',')
      .map((privilege) => privilege.trim().toUpperCase().replace(/\s+/g, ' '))
      .filter((privilege) => privilege && !READ_PRIVILEGES.has(privilege));
    if (/\sWITH\s(?:.*\s)?GRANT\s+OPTION\b/is.test(line)) extra.push('GRANT OPTION');
    if (extra.length > 0) found.push(`a user with ${extra.join(', ')} on ${target}`);
  }
  return found;
}

/**
 * The sql_mode flags that change how a statement is cut into tokens, against the rules the SQL
 * template renderer and the binder apply (backslash escapes in literals; `"…"` is a string):
 * NO_BACKSLASH_ESCAPES, ANSI_QUOTES, and the combination modes that imply ANSI_QUOTES (the server
 * lists their name next to the flags it expands to, and setting the name would bring them back).
 */
const TOKEN_CHANGING_MODES = [
  'NO_BACKSLASH_ESCAPES',
  'ANSI_QUOTES',
  'ANSI',
  'DB2',
  'MAXDB',
  'MSSQL',
  'ORACLE',
  'POSTGRESQL',
];

/**
 * A `SET SESSION` assignment that keeps the session's sql_mode (from the server's global default,
 * the user, or an earlier statement) minus the token-changing modes, in the same round trip as
 * the rest of the session setup.
 */
export const PINNED_SQL_MODE = `sql_mode = TRIM(BOTH ',' FROM ${TOKEN_CHANGING_MODES.reduce(
  (expression, mode) => `REPLACE(${expression}, ',${mode},', ',')`,
  "CONCAT(',', @@SESSION.sql_mode, ',')",
)})`;
