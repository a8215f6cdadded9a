import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.ts';
import { bindParameters, type Dialect, findBindNames } from '../../src/sql/bind-parameters.ts';

const pg = (sql: string, params: Parameters<typeof bindParameters>[1] = {}) =>
  bindParameters(sql, params, 'postgres');
const my = (sql: string, params: Parameters<typeof bindParameters>[1] = {}) =>
  bindParameters(sql, params, 'mysql');
const lite = (sql: string, params: Parameters<typeof bindParameters>[1] = {}) =>
  bindParameters(sql, params, 'sqlite');

describe('bindParameters placeholders', () => {
  it('numbers Postgres placeholders and reuses the number of a repeated name', () => {
    assert.deepEqual(pg('select :a, :b, :a', { a: 1, b: 'x' }), {
      sql: 'select $1, $2, $1',
      values: [1, 'x'],
    });
  });

  it('writes ? for MySQL and SQLite and repeats the value of a repeated name', () => {
    for (const bind of [my, lite]) {
      assert.deepEqual(bind('select :a, :b, :a', { a: 1, b: 'x' }), {
        sql: 'select ?, ?, ?',
        values: [1, 'x', 1],
      });
    }
  });

  it('binds every BindValue type unchanged', () => {
    const date = new Date('2024-02-29T12:00:00Z');
    const params = { n: 1.5, big: 12345678901234567890n, t: true, s: "it's", d: date, z: null };
    const bound = pg('select :n, :big, :t, :s, :d, :z', params);
    assert.equal(bound.sql, 'select $1, $2, $3, $4, $5, $6');
    assert.deepEqual(bound.values, [1.5, 12345678901234567890n, true, "it's", date, null]);
    assert.equal(bound.values[4], date);
  });

  it('binds NULL for a name absent from params, and never reads inherited properties', () => {
    assert.deepEqual(pg('select :missing, :constructor, :toString'), {
      sql: 'select $1, $2, $3',
      values: [null, null, null],
    });
    assert.deepEqual(my('select :missing', {}), { sql: 'select ?', values: [null] });
  });

  it('accepts names with underscores and digits, and stops at the first other character', () => {
    assert.deepEqual(pg('where a=:_region_2+1', { _region_2: 'eu' }), {
      sql: 'where a=$1+1',
      values: ['eu'],
    });
    assert.deepEqual(pg('where a=:x.y', { x: 1 }), { sql: 'where a=$1.y', values: [1] });
    assert.deepEqual(pg('where a = :1 and b = : c'), { sql: 'where a = :1 and b = : c', values: [] });
  });
});

describe('bindParameters lists', () => {
  it('expands a list into one placeholder per element', () => {
    assert.deepEqual(pg('where id in (:ids)', { ids: [1, 2, 3] }), {
      sql: 'where id in ($1, $2, $3)',
      values: [1, 2, 3],
    });
    assert.deepEqual(my('where id in (:ids)', { ids: ['a', 'b'] }), {
      sql: 'where id in (?, ?)',
      values: ['a', 'b'],
    });
  });

  it('reuses a Postgres list expansion and repeats a MySQL one', () => {
    assert.deepEqual(pg('(:ids) (:ids) :x', { ids: [1, 2], x: 3 }), {
      sql: '($1, $2) ($1, $2) $3',
      values: [1, 2, 3],
    });
    assert.deepEqual(lite('(:ids) (:ids)', { ids: [1, 2] }), { sql: '(?, ?) (?, ?)', values: [1, 2, 1, 2] });
  });

  it('expands an empty list to a single NULL so "in (NULL)" matches nothing', () => {
    assert.deepEqual(pg('where id in (:ids) and b = :b', { ids: [], b: 2 }), {
      sql: 'where id in ($1) and b = $2',
      values: [null, 2],
    });
    assert.deepEqual(my('where id in (:ids)', { ids: [] }), { sql: 'where id in (?)', values: [null] });
  });
});

describe('bindParameters leaves non-code text alone', () => {
  const untouched: [Dialect, string][] = [
    ['postgres', "select ':a', 'it''s :b'"],
    ['postgres', "select E'it\\'s :a', e'\\\\' "],
    ['postgres', 'select "col:a", "we""ird :b"'],
    ['postgres', 'select 1 -- :a\n'],
    ['postgres', 'select 1 /* :a */'],
    ['postgres', 'select 1 /* outer /* inner :a */ still comment :b */'],
    ['postgres', 'select $$ :a $$, $fn$ :b $$ :c $fn$'],
    ['postgres', 'select x::text, y::numeric(10,2), z :: int'],
    ['mysql', 'select \'it\\\' :a\', "dq \\" :b", `bt``:c`'],
    ['mysql', 'select @x := 1, @y:=2'],
    ['mysql', 'select 1 # :a\n'],
    ['mysql', 'select 1 -- :a\n'],
    ['mysql', 'select 1 /* :a */'],
    ['sqlite', 'select \':a\', "id:b", `bt:c`, [br:d]'],
    ['sqlite', 'select 1 -- :a\n, 2 /* :b */'],
  ];
  for (const [dialect, sql] of untouched) {
    it(`${dialect}: ${JSON.stringify(sql)}`, () => {
      assert.deepEqual(bindParameters(sql, { a: 1, b: 2, c: 3, d: 4 }, dialect), { sql, values: [] });
    });
  }

  it('binds again right after each kind of quoted or commented text ends', () => {
    const bound = pg("select 'a' :a, \"b\" :b, $q$ x $q$ :c, /* /* */ */ :d, -- x\n:e, E'\\'' :f", {
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: 5,
      f: 6,
    });
    assert.equal(bound.sql, "select 'a' $1, \"b\" $2, $q$ x $q$ $3, /* /* */ */ $4, -- x\n$5, E'\\'' $6");
    assert.deepEqual(bound.values, [1, 2, 3, 4, 5, 6]);
  });

  it('knows Postgres standard strings do not use backslash escapes, while MySQL ones do', () => {
    assert.deepEqual(pg("select 'a\\' , :x", { x: 1 }), { sql: "select 'a\\' , $1", values: [1] });
    assert.deepEqual(my("select 'a\\' , :x'", { x: 1 }), { sql: "select 'a\\' , :x'", values: [] });
  });

  it('does not nest MySQL and SQLite block comments', () => {
    assert.equal(my('/* /* */ :a */', { a: 1 }).sql, '/* /* */ ? */');
    assert.equal(lite('/* /* */ :a */', { a: 1 }).sql, '/* /* */ ? */');
  });

  it('treats MySQL "--" as a comment only when followed by whitespace', () => {
    assert.deepEqual(my('select 1--:a', { a: 2 }), { sql: 'select 1--?', values: [2] });
  });

  it('keeps words that contain $ whole and does not take $1 for a dollar quote', () => {
    assert.deepEqual(pg('select col$x$ :a, $tag', { a: 1 }), { sql: 'select col$x$ $1, $tag', values: [1] });
  });

  it('keeps everything after an unterminated quote or comment unbound', () => {
    assert.deepEqual(pg("select :a, 'oops :b", { a: 1, b: 2 }), { sql: "select $1, 'oops :b", values: [1] });
    assert.deepEqual(pg('select :a /* :b', { a: 1, b: 2 }), { sql: 'select $1 /* :b', values: [1] });
  });
});

describe('bindParameters refuses positional placeholders written in the SQL', () => {
  it('refuses ? in MySQL and SQLite code but not inside literals', () => {
    assert.throws(
      () => my('select ? , :a'),
      (error: unknown) => error instanceof AppError && error.code === 'bad_request',
    );
    assert.throws(() => lite('select ?1'), AppError);
    assert.deepEqual(my("select '?'"), { sql: "select '?'", values: [] });
  });

  it('refuses $1 in Postgres code but allows the jsonb ? operator', () => {
    assert.throws(() => pg('select $1'), AppError);
    assert.deepEqual(pg("select doc ? 'k', doc ?| :keys", { keys: 'a' }), {
      sql: "select doc ? 'k', doc ?| $1",
      values: ['a'],
    });
  });
});

describe('bindParameters: a placeholder stays its own token', () => {
  it('puts a space between a word and the placeholder that follows it', () => {
    // PostgreSQL reads `THEN$1` as one identifier, and `1$1` as a number with trailing junk.
    assert.deepEqual(pg('select case when true then:a end, arr[1:b], x=:a', { a: 'v', b: 2 }), {
      sql: 'select case when true then $1 end, arr[1 $2], x=$1',
      values: ['v', 2],
    });
    assert.equal(pg("select $$x$$:a, 'y':a", { a: 1 }).sql, "select $$x$$ $1, 'y'$1");
    assert.equal(pg('select :ids', { ids: [1, 2] }).sql, 'select $1, $2');
    for (const bind of [my, lite])
      assert.equal(bind('select 1 from t where x = 1 OR:a').sql, 'select 1 from t where x = 1 OR ?');
  });

  it('refuses a name directly followed by a character that cannot end it', () => {
    for (const sql of ['select :a$b', 'select :café']) {
      assert.throws(
        () => pg(sql, { a: 1, caf: 1 }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'bad_request' &&
          /directly followed by "[$é]"/.test(error.message),
        sql,
      );
    }
  });
});

describe('findBindNames', () => {
  it('lists distinct names in order of first appearance, skipping literals, comments and casts', () => {
    const sql = "select :b, :a, :b::text, ':c' -- :d\n/* :e */ $$:f$$ from t where x in (:ids) and y = :a";
    assert.deepEqual(findBindNames(sql), ['b', 'a', 'ids']);
  });

  it('follows the dialect rules when given one', () => {
    assert.deepEqual(findBindNames('select :a # :b\n', 'mysql'), ['a']);
    assert.deepEqual(findBindNames('select :a # :b\n', 'postgres'), ['a', 'b']);
  });

  it('does not throw on positional placeholders', () => {
    assert.deepEqual(findBindNames('select ?, :a', 'sqlite'), ['a']);
  });
});
