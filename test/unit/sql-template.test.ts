import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { driverNames } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { bindParameters } from '../../src/sql/bind-parameters.ts';
import { escapeSqlLiteral } from '../../src/sql/sql-literal.ts';
import { renderSqlTemplate, trustedSqlFragment } from '../../src/sql/sql-template.ts';

const isBadRequest = (pattern: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === 'bad_request' && pattern.test(error.message);

describe('escapeSqlLiteral', () => {
  it('doubles quotes in every dialect', () => {
    assert.equal(escapeSqlLiteral("O'Brien", 'postgres'), "'O''Brien'");
    assert.equal(escapeSqlLiteral("O'Brien", 'mysql'), "'O''Brien'");
    assert.equal(escapeSqlLiteral("O'Brien", 'sqlite'), "'O''Brien'");
  });

  it('writes backslashes so that each dialect reads them back literally', () => {
    assert.equal(escapeSqlLiteral("a\\'b", 'postgres'), "E'a\\\\''b'");
    assert.equal(escapeSqlLiteral("a\\'b", 'mysql'), "'a\\\\''b'");
    assert.equal(escapeSqlLiteral("a\\'b", 'sqlite'), "'a\\''b'");
  });

  it('keeps unicode as it is', () => {
    for (const dialect of driverNames) {
      assert.equal(escapeSqlLiteral('żółć 日本 😀', dialect), "'żółć 日本 😀'");
    }
  });

  it('refuses NUL characters', () => {
    assert.throws(() => escapeSqlLiteral('a\u0000b', 'postgres'), isBadRequest(/NUL/));
  });

  it('renders scalars, dates, lists and objects', () => {
    assert.equal(escapeSqlLiteral(null, 'postgres'), 'NULL');
    assert.equal(escapeSqlLiteral(undefined, 'mysql'), 'NULL');
    assert.equal(escapeSqlLiteral(true, 'postgres'), 'TRUE');
    assert.equal(escapeSqlLiteral(false, 'mysql'), 'FALSE');
    assert.equal(escapeSqlLiteral(true, 'sqlite'), '1');
    assert.equal(escapeSqlLiteral(false, 'sqlite'), '0');
    assert.equal(escapeSqlLiteral(42.5, 'postgres'), '42.5');
    assert.equal(escapeSqlLiteral(-3, 'postgres'), '(-3)');
    assert.equal(escapeSqlLiteral(-12345678901234567890n, 'mysql'), '(-12345678901234567890)');
    assert.equal(escapeSqlLiteral(Number.NaN, 'postgres'), 'NULL');
    assert.equal(escapeSqlLiteral(Number.POSITIVE_INFINITY, 'sqlite'), 'NULL');
    assert.equal(
      escapeSqlLiteral(new Date('2024-01-02T03:04:05.678Z'), 'postgres'),
      "'2024-01-02T03:04:05.678Z'",
    );
    assert.equal(escapeSqlLiteral(new Date(Number.NaN), 'postgres'), 'NULL');
    assert.equal(escapeSqlLiteral([1, "a'b", null], 'postgres'), "1, 'a''b', NULL");
    assert.equal(escapeSqlLiteral([], 'postgres'), 'NULL');
    assert.equal(escapeSqlLiteral({ a: "it's" }, 'sqlite'), '\'{"a":"it\'\'s"}\'');
  });

  it('refuses values without a literal form', () => {
    assert.throws(() => escapeSqlLiteral(() => 1, 'postgres'), isBadRequest(/function/));
    assert.throws(() => escapeSqlLiteral(new Map(), 'postgres'), isBadRequest(/Map/));
  });

  it('round-trips hostile strings through a real SQLite parser', () => {
    const db = new Database(':memory:');
    try {
      for (const text of [
        "'; drop table t; --",
        "\\'",
        "''",
        '/* */ -- \n',
        '$$',
        ':name',
        '"`[]',
        'ünï 😀',
      ]) {
        const row = db.prepare(`select ${escapeSqlLiteral(text, 'sqlite')} as v`).get() as { v: string };
        assert.equal(row.v, text);
      }
    } finally {
      db.close();
    }
  });
});

describe('renderSqlTemplate', () => {
  it('returns a template without any template construct as it is, NUL still refused', () => {
    const plain = "select id from t where a = :_a and b <> 'x -- y' /* } */";
    assert.equal(renderSqlTemplate(plain, { _a: 1 }, 'postgres'), plain);
    assert.throws(() => renderSqlTemplate('select 1\u0000', {}, 'sqlite'), /NUL/);
    // One brace is enough to go through Nunjucks, which refuses what it cannot parse.
    assert.throws(() => renderSqlTemplate('select {{ 1', {}, 'sqlite'), AppError);
  });

  it('escapes every printed value for the dialect', () => {
    const context = { name: "O'Brien \\" };
    assert.equal(renderSqlTemplate('a = {{ name }}', context, 'postgres'), "a = E'O''Brien \\\\'");
    assert.equal(renderSqlTemplate('a = {{ name }}', context, 'mysql'), "a = 'O''Brien \\\\'");
    assert.equal(renderSqlTemplate('a = {{ name }}', context, 'sqlite'), "a = 'O''Brien \\'");
  });

  it('escapes the output of filters too', () => {
    assert.equal(renderSqlTemplate('{{ x | upper }}', { x: "it's" }, 'postgres'), "'IT''S'");
    assert.equal(renderSqlTemplate('{{ x | join(",") }}', { x: ["a'", 'b'] }, 'postgres'), "'a'',b'");
    assert.equal(renderSqlTemplate('{{ x | escape }}', { x: "'" }, 'sqlite'), "'&#39;'");
  });

  it('prints lists as comma-separated literals for in (...)', () => {
    assert.equal(renderSqlTemplate('in ({{ ids }})', { ids: [1, "x'"] }, 'mysql'), "in (1, 'x''')");
    assert.equal(renderSqlTemplate('in ({{ ids }})', { ids: [] }, 'mysql'), 'in (NULL)');
  });

  it('prints trusted fragments raw, in any context value', () => {
    const context = { access_group: { game: trustedSqlFragment('host_id=1') } };
    assert.equal(renderSqlTemplate('where {{ access_group.game }}', context, 'postgres'), 'where host_id=1');
  });

  it('accepts a Proxy of fragments when it reports its properties as own', () => {
    const fragment = trustedSqlFragment('1=0');
    const everyTable = new Proxy(
      {},
      {
        get: () => fragment,
        getOwnPropertyDescriptor: () => ({
          value: fragment,
          configurable: true,
          enumerable: true,
          writable: false,
        }),
      },
    );
    assert.equal(renderSqlTemplate('where {{ ag.orders }}', { ag: everyTable }, 'sqlite'), 'where 1=0');
  });

  it('treats a filtered trusted fragment as a value again', () => {
    assert.equal(renderSqlTemplate('{{ f | lower }}', { f: trustedSqlFragment('A=1') }, 'postgres'), "'a=1'");
  });

  it('supports if and for, leaving bind variables for the binder', () => {
    const template = 'select * from t where 1=1{% if _region %} and region = :_region{% endif %}';
    assert.equal(
      renderSqlTemplate(template, { _region: 'eu' }, 'postgres'),
      `${template.split('{%')[0]} and region = :_region`,
    );
    assert.equal(renderSqlTemplate(template, { _region: '' }, 'postgres'), 'select * from t where 1=1');
    const loop = 'select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}';
    assert.equal(renderSqlTemplate(loop, { cols: [1, 'b'] }, 'mysql'), "select 1, 'b'");
    const rendered = renderSqlTemplate(template, { _region: "'; drop table t" }, 'postgres');
    assert.deepEqual(bindParameters(rendered, { _region: "'; drop table t" }, 'postgres'), {
      sql: 'select * from t where 1=1 and region = $1',
      values: ["'; drop table t"],
    });
  });

  it('gives conditions Jinja2 truthiness: empty lists, dicts, strings and fragments are false', () => {
    const template = '1{% if v %} and a in (:v){% endif %}';
    for (const v of [[], {}, '', 0, null, trustedSqlFragment('')]) {
      assert.equal(renderSqlTemplate(template, { v }, 'postgres'), '1', JSON.stringify(v));
    }
    for (const v of [[0], { a: 1 }, 'x', 1, trustedSqlFragment('x')]) {
      assert.equal(renderSqlTemplate(template, { v }, 'postgres'), '1 and a in (:v)', JSON.stringify(v));
    }
    const mixed =
      '{% if not e %}N{% endif %}{% if e or l %}O{% endif %}{% if l and not e %}A{% endif %} {{ 1 if e else 2 }}';
    assert.equal(renderSqlTemplate(mixed, { e: [], l: [1] }, 'sqlite'), 'NOA 2');
  });

  it('prints macro output as SQL, with the values inside it escaped', () => {
    const template = '{% macro eq(v) %}a = {{ v }}{% endmacro %}where {{ eq(x) }}';
    assert.equal(renderSqlTemplate(template, { x: "'" }, 'sqlite'), "where a = ''''");
  });

  it('refuses | safe, even on template text', () => {
    assert.throws(
      () => renderSqlTemplate('{{ x | safe }}', { x: '1; drop table t' }, 'postgres'),
      isBadRequest(/forbidden construct.*safe/),
    );
    assert.throws(
      () => renderSqlTemplate('{% filter safe %}{{ x }}{% endfilter %}', { x: 1 }, 'postgres'),
      isBadRequest(/safe/),
    );
  });

  it('refuses a value printed inside quotes, a quoted identifier or a comment', () => {
    const x = "' or 1=1 --";
    for (const template of [
      "'{{ x }}'",
      '"{{ x }}"',
      '-- {{ x }}\n',
      '/* {{ x }} */',
      '$${{ x }}$$',
      "'%{{ x }}%'",
    ]) {
      assert.throws(
        () => renderSqlTemplate(template, { x }, 'postgres'),
        isBadRequest(/inside quotes/),
        template,
      );
    }
    assert.throws(() => renderSqlTemplate('# {{ x }}\n', { x }, 'mysql'), isBadRequest(/inside quotes/));
    assert.throws(() => renderSqlTemplate('[{{ x }}]', { x }, 'sqlite'), isBadRequest(/inside quotes/));
  });

  it('refuses a value glued to a word or to another value', () => {
    assert.throws(() => renderSqlTemplate('select E{{ x }}', { x: '\\' }, 'postgres'), isBadRequest(/glued/));
    assert.throws(() => renderSqlTemplate('select _utf8{{ x }}', { x: 'a' }, 'mysql'), isBadRequest(/glued/));
    assert.throws(
      () => renderSqlTemplate('select {{ x }}{{ x }}', { x: 'a' }, 'sqlite'),
      isBadRequest(/glued|quotes/),
    );
  });

  it('writes negative numbers so they cannot form a comment', () => {
    assert.equal(renderSqlTemplate('select 10 -{{ n }}', { n: -5 }, 'sqlite'), 'select 10 -(-5)');
  });

  it('names the problem and line of a syntax error', () => {
    assert.throws(
      () => renderSqlTemplate('select 1\nwhere {{ f( }}', {}, 'postgres'),
      isBadRequest(/SQL template has a syntax error.*line 2/),
    );
    assert.throws(
      () => renderSqlTemplate('select {{ x }', {}, 'postgres'),
      isBadRequest(/syntax error at line 1, column \d+/),
    );
    assert.throws(
      () => renderSqlTemplate('{% frobnicate %}', {}, 'postgres'),
      isBadRequest(/unknown block tag/),
    );
    assert.throws(
      () => renderSqlTemplate('{% if x %}', {}, 'postgres'),
      isBadRequest(/expected elif, else, or endif/),
    );
  });

  it('refuses unknown filters', () => {
    assert.throws(
      () => renderSqlTemplate('{{ x | nope }}', {}, 'postgres'),
      isBadRequest(/unknown filter "nope"/),
    );
  });
});
