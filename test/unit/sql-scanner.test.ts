import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriverName } from '../../src/datasources/driver.ts';
import { AppError } from '../../src/errors.ts';
import { bindParameters } from '../../src/sql/bind-parameters.ts';
import { scanSql } from '../../src/sql/sql-scanner.ts';
import { renderSqlTemplate } from '../../src/sql/sql-template.ts';

/** The opaque runs of `sql` as text, e.g. `string:'a'`. */
const opaque = (sql: string, dialect: DriverName) =>
  scanSql(sql, dialect)
    .filter((segment) => segment.kind !== 'code')
    .map((segment) => `${segment.kind}:${sql.slice(segment.start, segment.end)}`);

const badRequest = (pattern: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === 'bad_request' && pattern.test(error.message);

describe('scanSql: PostgreSQL string continuation', () => {
  // Each expectation was checked against PostgreSQL 15: what it joins into one string, and what
  // it reads as two tokens (a syntax error there).
  it('joins string constants separated by whitespace holding a newline', () => {
    assert.deepEqual(opaque("select 'a'\n'b' as s", 'postgres'), ["string:'a'\n'b'"]);
    assert.deepEqual(opaque("select 'a'  \r\n\t 'b'\n'c'", 'postgres'), ["string:'a'  \r\n\t 'b'\n'c'"]);
    assert.deepEqual(opaque("select 'a' 'b'", 'postgres'), ["string:'a'", "string:'b'"]);
  });

  it('lets -- comments sit between the parts, but not /* */ comments', () => {
    assert.deepEqual(opaque("select 'a' -- c\n'b'", 'postgres'), ["string:'a' -- c\n'b'"]);
    assert.deepEqual(opaque("select 'a'\n-- c\n'b'", 'postgres'), ["string:'a'\n-- c\n'b'"]);
    assert.deepEqual(opaque("select 'a'\n/* c */ 'b'", 'postgres'), [
      "string:'a'",
      'comment:/* c */',
      "string:'b'",
    ]);
  });

  it("reads a continued E'' string with backslash escapes in every part", () => {
    const sql = "SELECT E'note:'\n'\\' 'AS a, current_user AS leak, '' AS s";
    // PostgreSQL reads `'\' '` as a quote and a space: the string ends before `AS a`.
    assert.deepEqual(opaque(sql, 'postgres'), ["string:E'note:'\n'\\' '", "string:''"]);
    assert.deepEqual(opaque("select 'x'\n'\\' b'", 'postgres'), ["string:'x'\n'\\'", "string:'"]);
  });

  it('does not continue dollar quotes, identifiers, or strings in MySQL and SQLite', () => {
    assert.deepEqual(opaque("select $$a$$\n'b'", 'postgres'), ['string:$$a$$', "string:'b'"]);
    assert.deepEqual(opaque('select "a"\n\'b\'', 'postgres'), ['identifier:"a"', "string:'b'"]);
    for (const dialect of ['mysql', 'sqlite'] as const) {
      assert.equal(opaque("select 'a'\n'b'", dialect).length, 2, dialect);
    }
  });

  it('never binds a :name in the gap of a continued string', () => {
    const bound = bindParameters("select 'a' -- :x\n'b', :y", { x: 1, y: 2 }, 'postgres');
    assert.deepEqual(bound, { sql: "select 'a' -- :x\n'b', $1", values: [2] });
  });
});

describe('renderSqlTemplate: a value after a continued string', () => {
  it("refuses the value a continued E'' string would swallow (it would run as SQL)", () => {
    const template = "SELECT E'note:'\n'\\' {{ x }} ' AS s";
    assert.throws(
      () => renderSqlTemplate(template, { x: 'AS a, current_user AS leak, ' }, 'postgres'),
      badRequest(/inside quotes/),
    );
  });

  it('refuses a value inside a -- comment between the parts', () => {
    assert.throws(
      () => renderSqlTemplate("select 'a' -- {{ x }}\n'b'", { x: 'v' }, 'postgres'),
      badRequest(/inside quotes/),
    );
  });

  it('still prints a value after a string that is not continued', () => {
    assert.equal(renderSqlTemplate("select 'a', {{ x }}", { x: 'v' }, 'postgres'), "select 'a', 'v'");
    assert.equal(renderSqlTemplate("select 'a'\n, {{ x }}", { x: 'v' }, 'postgres'), "select 'a'\n, 'v'");
  });
});

describe('scanSql: MySQL/MariaDB executable comments', () => {
  it('refuses /*! */, /*!50000 */ and /*M! */, naming them', () => {
    for (const sql of [
      'select 1 /*! , 2 */',
      'select 1 /*!50000 , 2 */',
      'select 1 /*M! , 2 */',
      'select 1 /*M!100100 , 2 */',
    ]) {
      assert.throws(() => scanSql(sql, 'mysql'), badRequest(/executable comment \(\/\*M?! … \*\/\)/), sql);
    }
  });

  it('refuses them in the binder and the template renderer too', () => {
    assert.throws(() => bindParameters('select :a /*! , 2 */', { a: 1 }, 'mysql'), badRequest(/executable/));
    assert.throws(
      () =>
        renderSqlTemplate(
          "SELECT 1 AS a /*! , ' */ {{ x }} /* ' AS b */",
          { x: ', current_user() AS leak, ' },
          'mysql',
        ),
      badRequest(/executable comment/),
    );
  });

  it('keeps plain comments, optimizer hints, and /*! in other dialects', () => {
    assert.deepEqual(opaque('select /*+ MAX_EXECUTION_TIME(1) */ 1 /* ! */', 'mysql'), [
      'comment:/*+ MAX_EXECUTION_TIME(1) */',
      'comment:/* ! */',
    ]);
    assert.deepEqual(opaque('select 1 /*! x */', 'postgres'), ['comment:/*! x */']);
    assert.deepEqual(opaque('select 1 /*! x */', 'sqlite'), ['comment:/*! x */']);
    assert.deepEqual(opaque("select '/*!' as s -- /*!\n", 'mysql'), ["string:'/*!'", 'comment:-- /*!']);
  });
});
