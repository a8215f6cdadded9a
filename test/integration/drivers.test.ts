/**
 * One suite, looped over every report database driver against real servers (and a real SQLite
 * file): the same table with the same data must come back as IDENTICAL records (SPEC §4.7), and
 * each driver must enforce the run contract: row cap, read-only, single statement, bound values,
 * DB error messages, streaming in batches, connection errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource, JsonValue } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { collect, TABLE, targets } from '../helpers/driver-targets.ts';

const bytes = (...values: number[]) => Buffer.from(values);
const note1 = 'héllo "wörld" it\'s ✓ 😀 \\ back';

/** Inserted through each npm driver directly; `null` everywhere but the id in row 3. */
// biome-ignore format: one row per line reads as a table
const DATA: unknown[][] = [
  [1, '2024-02-29', '2024-02-29 13:45:59.123456', '12345.67', 9007199254740993n, 42, true,
    '{"a":1,"nested":{"b":[1,2.5,"x"],"c":null}}', note1, bytes(0, 1, 2, 255)],
  [2, '1999-12-31', '1999-12-31 23:59:59', '0.1', -9007199254740991n, -7, false, '[1,{"k":"v"}]', '', bytes()],
  [3, null, null, null, null, null, null, null, null, null],
  [4, '2000-01-01', '2000-01-01 00:00:00.000001', '12345678901234567890123456.7891', 9007199254740992n, 0, true,
    '"just a string"', 'line1\nline2\ttab', bytes(104, 105)],
];

/** What every driver must return for `DATA`, value for value. */
// biome-ignore format: one row per line reads as a table
const EXPECTED: JsonValue[][] = [
  [1, '2024-02-29', '2024-02-29 13:45:59.123456', 12345.67, '9007199254740993', 42, true,
    { a: 1, nested: { b: [1, 2.5, 'x'], c: null } }, note1, 'AAEC/w=='],
  [2, '1999-12-31', '1999-12-31 23:59:59.000000', 0.1, -9007199254740991, -7, false, [1, { k: 'v' }], '', ''],
  [3, null, null, null, null, null, null, null, null, null],
  [4, '2000-01-01', '2000-01-01 00:00:00.000001', '12345678901234567890123456.7891', '9007199254740992', 0, true,
    'just a string', 'line1\nline2\ttab', 'aGk='],
];

const COLUMNS = ['id', 'd', 'ts', 'amount', 'big', 'small', 'flag', 'doc', 'note', 'bin'];
const SELECT_ALL = `select ${COLUMNS.join(', ')} from ${TABLE} order by id`;

/** Asserts the promise (or the first batch of a run) fails with this AppError code. */
async function rejectsWith(work: () => Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  let caught: unknown;
  try {
    await work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected an AppError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

for (const target of targets) {
  const notice = await target.unavailable();

  describe(`driver: ${target.driver}`, { skip: notice ?? false }, () => {
    let ds: DataSource;
    const run = (sql: string, values: unknown[] = [], extra: object = {}) =>
      collect(ds, { sql, values: values as never, timeoutMs: 10_000, ...extra });

    before(async () => {
      await target.setup(DATA);
      ds = openDataSource(target.driver, target.config, { poolSize: 2, statementTimeoutMs: 10_000 });
    });
    after(async () => {
      await ds?.close();
      await target.teardown();
    });

    it('returns the shared data set as identical records', async () => {
      const { columns, rows } = await run(SELECT_ALL);
      assert.deepEqual(
        columns.map((c) => c.name),
        COLUMNS,
      );
      assert.deepEqual(rows, EXPECTED);
    });

    it('reports the database type name of each column', async () => {
      const { columns } = await run(SELECT_ALL);
      assert.deepEqual(
        columns.map((c) => c.type),
        target.columnTypes,
      );
    });

    it('maps driver-specific types', async () => {
      for (const [sql, expected] of target.extras) {
        assert.deepEqual((await run(sql)).rows, [expected], sql);
      }
    });

    it('passes connection test()', async () => {
      await ds.test();
    });

    it('stops at maxRows, in batches of batchSize', async () => {
      const { batches, rows } = await run(target.series(100), [], { maxRows: 10, batchSize: 3 });
      assert.deepEqual(rows, [[1], [2], [3], [4], [5], [6], [7], [8], [9], [10]]);
      assert.deepEqual(
        batches.map((b) => b.rows.length),
        [3, 3, 3, 1],
      );
    });

    it('gives the columns of an empty result in one empty batch', async () => {
      const { batches } = await run(`select id, note from ${TABLE} where id < 0`);
      assert.equal(batches.length, 1);
      assert.deepEqual(
        batches[0]?.columns.map((c) => c.name),
        ['id', 'note'],
      );
      assert.deepEqual(batches[0]?.rows, []);
    });

    it('streams a large result in several batches', async () => {
      const { batches, rows } = await run(target.series(20_000), [], { batchSize: 1000 });
      assert.equal(rows.length, 20_000);
      assert.deepEqual(rows.at(-1), [20_000]);
      assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
      assert.ok(batches.every((b) => b.rows.length <= 1000));
    });

    it('releases the connection when the consumer stops early', async () => {
      const single = openDataSource(target.driver, target.config, {
        poolSize: 1,
        statementTimeoutMs: 10_000,
      });
      try {
        for (let i = 0; i < 3; i++) {
          for await (const batch of single.run({
            sql: target.series(20_000),
            values: [],
            timeoutMs: 10_000,
            batchSize: 100,
          })) {
            assert.equal(batch.rows.length, 100);
            break;
          }
        }
        // With a pool of one, this would wait forever if a connection had leaked.
        const { rows } = await collect(single, { sql: 'select 1 as one', values: [], timeoutMs: 5000 });
        assert.deepEqual(rows, [[1]]);
      } finally {
        await single.close();
      }
    });

    it('rejects more than one statement', async () => {
      await rejectsWith(() => run('select 1; select 2'), 'bad_request');
      await rejectsWith(() => run(`select 1 as a; delete from ${TABLE}`), 'bad_request');
      assert.equal(await target.count(`select count(*) from ${TABLE}`), 4);
    });

    it('rejects writes and DDL: the run is read-only, even for a user who may write', async (t) => {
      const writer = openDataSource(target.driver, target.writerConfig, {
        poolSize: 1,
        statementTimeoutMs: 10_000,
      });
      const runAsWriter = (sql: string) => collect(writer, { sql, values: [], timeoutMs: 10_000 });
      t.after(() => writer.close());
      const writes = [
        `insert into ${TABLE} (id) values (99)`,
        `update ${TABLE} set small = 1`,
        `delete from ${TABLE}`,
        'create table sr_driver_created (a int)',
        `drop table ${TABLE}`,
        `alter table ${TABLE} add column extra int`,
        `create index sr_driver_index on ${TABLE} (small)`,
        ...target.extraWrites,
      ];
      for (const sql of writes) {
        await rejectsWith(() => runAsWriter(sql), 'bad_request', target.readOnlyMessage);
        await rejectsWith(() => run(sql), 'bad_request'); // the reader lacks the grants as well
      }
      assert.equal(await target.count(`select count(*) from ${TABLE}`), 4);
      assert.equal(await target.count(`select small from ${TABLE} where id = 1`), 42);
      assert.equal(await target.tableExists('sr_driver_created'), false);
      assert.deepEqual((await run(SELECT_ALL)).rows, EXPECTED); // no column added, nothing emptied
    });

    it('keeps the next run read-only after a statement tries to make the session writable', async () => {
      const single = openDataSource(target.driver, target.writerConfig, {
        poolSize: 1,
        statementTimeoutMs: 10_000,
      });
      try {
        await collect(single, { sql: target.sessionEscape, values: [], timeoutMs: 5000 }).catch(() => {});
        await rejectsWith(
          () => collect(single, { sql: `drop table ${TABLE}`, values: [], timeoutMs: 5000 }),
          'bad_request',
          target.readOnlyMessage,
        );
        assert.equal(await target.count(`select count(*) from ${TABLE}`), 4);
      } finally {
        await single.close();
      }
    });

    it("reports the database's own message for bad SQL", async () => {
      await rejectsWith(() => run('selec 1'), 'bad_request', /selec/);
      await rejectsWith(() => run('select * from sr_missing_table'), 'bad_request', /sr_missing_table/);
    });

    it('binds values to placeholders', async () => {
      const { ph } = target;
      const byNote = await run(`select id from ${TABLE} where note = ${ph(1)} and small > ${ph(2)}`, [
        note1,
        40,
      ]);
      assert.deepEqual(byNote.rows, [[1]]);
      const byBig = await run(`select id from ${TABLE} where big = ${ph(1)}`, [9007199254740993n]);
      assert.deepEqual(byBig.rows, [[1]]);
      const injection = await run(`select count(*) as n from ${TABLE} where note = ${ph(1)}`, [
        "' or 1=1 --",
      ]);
      assert.deepEqual(injection.rows, [[0]]);
    });

    it('reports an unreachable database without leaking settings', async () => {
      const bad = openDataSource(target.driver, target.unreachableConfig, {
        poolSize: 1,
        statementTimeoutMs: 5000,
      });
      try {
        const error = await rejectsWith(
          () => bad.test(),
          'database_unreachable',
          /^Cannot connect to the database: /,
        );
        assert.doesNotMatch(error.message, /sekret/);
        await rejectsWith(
          () => collect(bad, { sql: 'select 1', values: [], timeoutMs: 5000 }),
          'database_unreachable',
        );
      } finally {
        await bad.close();
      }
    });
  });
}

describe('openDataSource', () => {
  const options = { poolSize: 1, statementTimeoutMs: 1000 };

  it('names the invalid setting', () => {
    assert.throws(
      () => openDataSource('postgres', { host: 'db', port: 'not-a-port', password: 'sekret' }, options),
      (error: unknown) =>
        error instanceof AppError && error.code === 'bad_request' && /"port"/.test(error.message),
    );
    assert.throws(
      () => openDataSource('sqlite', {}, options),
      (error: unknown) => error instanceof AppError && /"file"/.test(error.message),
    );
    assert.throws(
      () => openDataSource('mysql', { url: 'mysql://u:sekret@h/db?multipleStatements=true' }, options),
      (error: unknown) =>
        error instanceof AppError && /"url"/.test(error.message) && !/sekret/.test(error.message),
    );
  });
});
