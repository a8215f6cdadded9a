import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriverName } from '../../src/datasources/driver.ts';
import { driverNames } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { assertReadOnlyStatement, assertReadOnlyTemplate } from '../../src/sql/read-only-statement.ts';

const DIALECTS: readonly DriverName[] = driverNames;

const refusedWith = (pattern: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === 'bad_request' && pattern.test(error.message);

function refuses(sql: string, pattern: RegExp, dialects: readonly DriverName[] = DIALECTS) {
  for (const dialect of dialects) {
    assert.throws(() => assertReadOnlyStatement(sql, dialect), refusedWith(pattern), `${dialect}: ${sql}`);
  }
}

function allows(sql: string, dialects: readonly DriverName[] = DIALECTS) {
  for (const dialect of dialects) assert.doesNotThrow(() => assertReadOnlyStatement(sql, dialect), sql);
}

describe('assertReadOnlyStatement: the leading word', () => {
  it('allows SELECT, WITH and VALUES everywhere, in any case, after comments and parentheses', () => {
    allows('select 1');
    allows('  SeLeCt 1;  ');
    allows('-- the total\n/* by region */ select 1');
    allows('with x as (select 1 as a) select a from x');
    allows('values (1), (2)');
    allows('((select 1)) union (select 2)');
  });

  it('allows TABLE on PostgreSQL and MySQL, EXPLAIN everywhere, SHOW and DESCRIBE on MySQL', () => {
    allows('table region', ['postgres', 'mysql']);
    allows('explain select 1');
    allows('explain (format json) select 1', ['postgres']);
    allows('explain query plan select 1', ['sqlite']);
    allows('show tables', ['mysql']);
    allows('describe region', ['mysql']);
    allows('desc region', ['mysql']);
    refuses('show tables', /starting with SELECT, WITH, VALUES, TABLE or EXPLAIN \(found SHOW\)/, [
      'postgres',
    ]);
    refuses('table region', /starting with SELECT, WITH, VALUES or EXPLAIN \(found TABLE\)/, ['sqlite']);
  });

  it('names the statement it refuses', () => {
    refuses(
      "COPY (select 1) TO PROGRAM 'touch /tmp/x'",
      /^Report SQL must be one read-only statement starting with SELECT, WITH, VALUES, TABLE or EXPLAIN \(found COPY\)$/,
      ['postgres'],
    );
    refuses('delete from region', /\(found DELETE\)/);
    refuses('drop table region', /\(found DROP\)/);
    refuses('pragma journal_mode = wal', /\(found PRAGMA\)/, ['sqlite']);
    refuses('do $$ begin perform 1; end $$', /\(found DO\)/, ['postgres']);
    refuses('call p()', /\(found CALL\)/);
    refuses('set session transaction read write', /\(found SET\)/);
    refuses('analyze select 1', /\(found ANALYZE\)/, ['mysql']);
    refuses("load data infile '/etc/passwd' into table t", /\(found LOAD\)/, ['mysql']);
    refuses('*', /\(found \*\)/);
  });

  it('refuses SQL with no statement at all', () => {
    refuses('', /it is empty/);
    refuses('  -- nothing\n/* here */ ', /it is empty/);
  });
});

describe('assertReadOnlyStatement: words refused anywhere in code', () => {
  it('refuses SELECT … INTO in every form', () => {
    refuses("select 1 into outfile '/tmp/x'", /found INTO outside literals and comments/, ['mysql']);
    refuses("select 1 into dumpfile '/tmp/x'", /found INTO/, ['mysql']);
    refuses('select 1 into @v', /found INTO/, ['mysql']);
    refuses('select 1 from dual into @v', /found INTO/, ['mysql']);
    refuses('select * into new_table from region', /found INTO/, ['postgres']);
    // PostgreSQL 15 reads `1into` as the number 1 and the keyword INTO.
    refuses('select 1into new_table', /found INTO/, ['postgres']);
    refuses('select 0x1Finto new_table', /found INTO/, ['postgres']);
  });

  it('refuses data-modifying CTEs and locking reads', () => {
    refuses('with d as (delete from region returning *) select * from d', /found DELETE/, ['postgres']);
    refuses('with u as (update region set name = 1 returning *) select 1', /found UPDATE/, ['postgres']);
    refuses('with i as (insert into region values (1) returning *) select 1', /found INSERT/, ['postgres']);
    refuses('select * from region for update', /found UPDATE/);
  });

  it('refuses COPY, DO, CALL and LOAD DATA inside a statement', () => {
    refuses('select 1; copy region to stdout', /found more SQL after ";"|found COPY/, ['postgres']);
    refuses('select 1 as copy', /found COPY/, ['postgres']);
    refuses("select 1 from (load data infile 'x' into table t)", /found (LOAD DATA|INTO)/, ['mysql']);
    refuses('select 1 as a, load xml', /found LOAD XML/, ['mysql']);
  });

  it('refuses EXPLAIN ANALYZE, which runs the statement', () => {
    refuses('explain analyze select 1', /found EXPLAIN ANALYZE/);
    refuses('explain (analyse, format json) select 1', /found EXPLAIN ANALYZE/, ['postgres']);
    refuses('EXPLAIN (ANALYZE true) select 1', /found EXPLAIN ANALYZE/, ['postgres']);
    refuses('describe analyze select 1', /found DESCRIBE ANALYZE/, ['mysql']);
  });

  it('refuses a second statement, but allows a trailing semicolon', () => {
    refuses('select 1; select 2', /found more SQL after ";"/);
    refuses('select 1;delete from region', /found more SQL after ";"|found DELETE/);
    allows('select 1;');
    allows('select 1; -- done\n');
  });

  it('allows the refused words inside literals, quoted identifiers and comments', () => {
    allows("select 'copy into outfile; delete' as note -- call do insert update\n");
    allows('select "into", "copy", "delete" from t /* load data */', ['postgres', 'sqlite']);
    allows('select `into`, `copy`, `delete` from t # load data', ['mysql']);
    allows('select [into], [copy] from t', ['sqlite']);
    allows("select $$ copy (select 1) to program 'x' $$ as s, E'\\' into ' as t", ['postgres']);
    allows("select 'a\\' into outfile' as s", ['mysql']);
    allows("explain select 'analyze' as a");
  });

  it('allows words that merely contain refused words, and the MySQL INSERT() function', () => {
    allows('select intos, copy_count, do_it, recall, deleted, updated_at, loader from t');
    allows("select insert('abc', 1, 1, 'x') as s", ['mysql']);
    allows('select load from servers');
  });
});

describe('assertReadOnlyStatement: state left on a pooled connection', () => {
  it('refuses MySQL user-variable assignment and PostgreSQL set_config()', () => {
    refuses('select @leak := current_user()', /found ":=", which sets a user variable/, ['mysql']);
    refuses('select (@n:=@n+1) as row_no from region', /found ":="/, ['mysql']);
    refuses("select set_config('search_path', 'evil', false)", /found set_config\(\)/, ['postgres']);
    refuses("select SET_CONFIG ('work_mem', '1GB', false)", /found set_config\(\)/, ['postgres']);
  });

  it('allows reading a variable, := in literals, and PostgreSQL named arguments', () => {
    allows("select @v, ':=' as s, current_setting('search_path')", ['mysql', 'postgres']);
    allows('select make_interval(days := 2)', ['postgres']);
    allows("select 'set_config(' as s", ['postgres']);
  });
});

describe('assertReadOnlyTemplate', () => {
  it('checks every branch of the template and ignores Nunjucks tags and printed values', () => {
    assert.doesNotThrow(() =>
      assertReadOnlyTemplate(
        '{# a comment with delete #}{% set x = "into" %}select {{ x }} from t {% if a %}where {{ access_group.t }}{% endif %}',
        'postgres',
      ),
    );
    assert.throws(
      () =>
        assertReadOnlyTemplate(
          '{% if a %}select 1{% else %}select 1 into outfile "/tmp/x"{% endif %}',
          'mysql',
        ),
      refusedWith(/found INTO/),
    );
    assert.throws(
      () => assertReadOnlyTemplate('{% if a %}copy t to stdout{% endif %}', 'postgres'),
      refusedWith(/found COPY/),
    );
  });
});

describe('assertReadOnlyStatement remembers what passed, per dialect, and nothing it refused', () => {
  it('a text that passed for one dialect is still checked for another', () => {
    // SHOW is a MariaDB statement; SQLite does not start a statement with it.
    allows('show tables', ['mysql']);
    allows('show tables', ['mysql']);
    assert.throws(() => assertReadOnlyStatement('show tables', 'sqlite'), refusedWith(/SHOW/));
  });

  it('a refused text is refused every time, also after many other texts passed', () => {
    const refused = 'delete from t';
    for (let round = 0; round < 3; round++) {
      assert.throws(() => assertReadOnlyStatement(refused, 'sqlite'), refusedWith(/DELETE/));
      for (let n = 0; n < 1200; n++) assertReadOnlyStatement(`select ${n} as n${round}`, 'sqlite');
    }
  });

  it('long texts pass and are refused the same way as short ones', () => {
    const list = Array.from({ length: 2000 }, (_, n) => n).join(', ');
    allows(`select v from t where v in (${list})`, ['postgres', 'mysql', 'sqlite']);
    assert.throws(
      () => assertReadOnlyStatement(`select v from t where v in (${list}); drop table t`, 'postgres'),
      refusedWith(/more SQL/),
    );
  });
});
