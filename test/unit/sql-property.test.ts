import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { BindValue } from '../../src/datasources/driver.ts';
import { driverNames } from '../../src/datasources/registry.ts';
import { bindParameters, type Dialect, type ParamValue } from '../../src/sql/bind-parameters.ts';
import { renderSqlTemplate } from '../../src/sql/sql-template.ts';

const DIALECTS: Dialect[] = driverNames;

/** Text built from the pieces that break naive quoting and binding, mixed with arbitrary unicode. */
const hostileText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(
        "'",
        "''",
        '"',
        '`',
        '\\',
        '--',
        '/*',
        '*/',
        '$$',
        '$q$',
        ':name',
        '::',
        ':=',
        ';',
        '?',
        '#',
        '\n',
        '\r',
        'E',
        '$1',
      ),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    ),
    maxLength: 30,
  })
  .map((text) => text.replaceAll('\u0000', ''));

const scalar: fc.Arbitrary<BindValue> = fc.oneof(
  hostileText,
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.boolean(),
  fc.date(),
  fc.constant(null),
);
const param: fc.Arbitrary<ParamValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }));

/** Every name in every kind of context: code, literals, identifiers, comments, casts. */
const STATEMENTS: Record<Dialect, { sql: string; order: string[] }> = {
  postgres: {
    sql: "select :a, ':b', \"c:d\", :b::text, E'\\' :a', $$ :a $$ -- :a\n from t /* :a /* :b */ */ where x in (:ids) and y = :a",
    order: ['a', 'b', 'ids', 'a'],
  },
  mysql: {
    sql: "select :a, ':b', 'x\\' :b', \"c:d\", `e:f`, @v := :b # :a\n from t /* :a */ where x in (:ids) -- :b\n and y = :a",
    order: ['a', 'b', 'ids', 'a'],
  },
  sqlite: {
    sql: 'select :a, \':b\', "c:d", [e:f], :b -- :a\n from t /* :a */ where x in (:ids) and y = :a',
    order: ['a', 'b', 'ids', 'a'],
  },
};

function elements(value: ParamValue): BindValue[] {
  if (!Array.isArray(value)) return [value];
  return value.length === 0 ? [null] : value;
}

/** The same shape (list lengths) with every value replaced by NULL. */
function placeholdersOnly(params: Record<string, ParamValue>): Record<string, ParamValue> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(() => null) : null,
    ]),
  );
}

describe('bindParameters property: values never reach the SQL text', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: the SQL depends only on list lengths, and values are carried unchanged`, () => {
      const { sql, order } = STATEMENTS[dialect];
      fc.assert(
        fc.property(param, param, param, (a, b, ids) => {
          const params = { a, b, ids };
          const bound = bindParameters(sql, params, dialect);
          assert.equal(bound.sql, bindParameters(sql, placeholdersOnly(params), dialect).sql);
          // Postgres numbers each name once; the ? dialects take one value per occurrence.
          const names = dialect === 'postgres' ? [...new Set(order)] : order;
          const expected = names.flatMap((name) => elements(params[name as keyof typeof params]));
          assert.equal(bound.values.length, expected.length);
          for (const [i, value] of expected.entries())
            assert.ok(Object.is(bound.values[i], value), `value ${i}`);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('renderSqlTemplate property: request values used as binds never enter the template output', () => {
  const template = 'select * from t where 1=1{% if _x %} and a = :_x{% endif %}';
  const withClause = 'select * from t where 1=1 and a = :_x';
  const without = 'select * from t where 1=1';

  for (const dialect of DIALECTS) {
    it(`${dialect}: the rendered SQL is one of two fixed texts`, () => {
      fc.assert(
        fc.property(fc.oneof(hostileText, fc.integer(), fc.boolean(), fc.constant(null)), (x) => {
          const rendered = renderSqlTemplate(template, { _x: x }, dialect);
          assert.equal(rendered, x ? withClause : without);
          const bound = bindParameters(rendered, { _x: x }, dialect);
          assert.deepEqual(bound.values, x ? [x] : []);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('renderSqlTemplate property: a printed value is one closed literal', () => {
  it('sqlite: a real SQLite parser reads back exactly the printed string', () => {
    const db = new Database(':memory:');
    try {
      fc.assert(
        fc.property(hostileText, (text) => {
          const sql = renderSqlTemplate('select {{ v }} as v, :after as after', { v: text }, 'sqlite');
          const bound = bindParameters(sql, { after: 'end' }, 'sqlite');
          const row = db.prepare(bound.sql).get(...bound.values) as { v: string; after: string };
          assert.deepEqual(row, { v: text, after: 'end' });
        }),
        { numRuns: 300 },
      );
    } finally {
      db.close();
    }
  });

  for (const dialect of ['postgres', 'mysql'] as const) {
    // Without a server in unit tests, the dialect's own scanner stands in for the parser: the
    // bind after the literal is still found, so the literal closed where it should.
    it(`${dialect}: the binder still finds the bind variable after the literal`, () => {
      fc.assert(
        fc.property(hostileText, (text) => {
          const sql = renderSqlTemplate('select {{ v }} as v, :after as after', { v: text }, dialect);
          const bound = bindParameters(sql, { after: 'end' }, dialect);
          assert.deepEqual(bound.values, ['end']);
          assert.ok(bound.sql.endsWith(`, ${dialect === 'postgres' ? '$1' : '?'} as after`));
        }),
        { numRuns: 300 },
      );
    });
  }
});
