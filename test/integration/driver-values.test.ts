/**
 * Value rules of SPEC §4.7 beyond the shared data set of drivers.test.ts, on every driver against
 * real servers: integers bound as integers, instants with their offset, JSON integers with every
 * digit, PostgreSQL arrays as JSON arrays. Each driver states its own SQL for the same rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { DataSource, DriverName, JsonValue } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { mysqlAdminUrl } from '../helpers/databases.ts';
import { collect, targets } from '../helpers/driver-targets.ts';

const BIG = '12345678901234567890';
const JSON_TEXT = `{"id":${BIG},"small":42,"price":0.1,"list":[${BIG},-9007199254740993,1.5e3],"s":"${BIG}"}`;
const JSON_VALUE = {
  id: BIG,
  small: 42,
  price: 0.1,
  list: [BIG, '-9007199254740993', 1500],
  s: BIG,
};

/** Per driver: SQL for a rule and the single row it must give. */
const cases: Record<DriverName, Array<[what: string, sql: string, values: unknown[], row: JsonValue[]]>> = {
  postgres: [
    ['an integer bind divides as an integer', 'select $1 / 2 as half', [5n], [2]],
    ['json keeps every digit', `select '${JSON_TEXT}'::json as j`, [], [JSON_VALUE]],
    ['jsonb keeps every digit', `select '${JSON_TEXT}'::jsonb as j`, [], [JSON_VALUE]],
    [
      'arrays are JSON arrays, elements mapped by type',
      `select '{1,NULL,3}'::int[] as a, array['x', 'y,z', null, 'NULL'] as b,
              '{{1.50,2},{3,4}}'::numeric[] as c, array[9007199254740993]::int8[] as d,
              array[timestamptz '2024-01-02 04:04:05.5+01'] as e, array[true, false] as f,
              array['{"n": ${BIG}}'::jsonb] as g, '{}'::text[] as h, array['\\x00ff'::bytea] as i`,
      [],
      [
        [1, null, 3],
        ['x', 'y,z', null, 'NULL'],
        [
          [1.5, 2],
          [3, 4],
        ],
        ['9007199254740993'],
        ['2024-01-02 03:04:05.500000+00:00'],
        [true, false],
        [{ n: BIG }],
        [],
        ['AP8='],
      ],
    ],
  ],
  mysql: [
    [
      'an integer bind keeps every digit in arithmetic',
      'select ? - 1 as v',
      [9007199254740993n],
      ['9007199254740992'],
    ],
    // A DATETIME has no zone and stays without an offset.
    [
      'DATETIME has no offset',
      "select cast('2024-02-29 13:45:59.5' as datetime(1)) as d",
      [],
      ['2024-02-29 13:45:59.500000'],
    ],
  ],
  sqlite: [
    [
      'an integer bind divides as an integer',
      'select ? / 2 as half, typeof(?) as t',
      [5n, 5n],
      [2, 'integer'],
    ],
    ['a number bind stays a float', 'select ? / 2 as half', [5], [2.5]],
  ],
};

for (const target of targets) {
  const notice = await target.unavailable();

  describe(`values on ${target.driver}`, { skip: notice ?? false }, () => {
    let ds: DataSource;
    before(async () => {
      await target.setup([]); // the SQLite file must exist: the driver opens it read-only
      ds = openDataSource(target.driver, target.config, { poolSize: 1, statementTimeoutMs: 10_000 });
    });
    after(async () => {
      await ds?.close();
      await target.teardown();
    });

    for (const [what, sql, values, row] of cases[target.driver]) {
      it(what, async () => {
        const { rows } = await collect(ds, { sql, values: values as never, timeoutMs: 10_000 });
        assert.deepEqual(rows, [row]);
      });
    }
    if (target.driver === 'sqlite') {
      it('a JSON column keeps every digit', async () => {
        const db = new Database((target.config as { file: string }).file);
        db.exec(`drop table if exists sr_json; create table sr_json (doc JSON);
          insert into sr_json values ('${JSON_TEXT}')`);
        db.close();
        const { rows } = await collect(ds, { sql: 'select doc from sr_json', values: [], timeoutMs: 10_000 });
        assert.deepEqual(rows, [[JSON_VALUE]]);
      });
    }

    if (target.driver === 'mysql') {
      it('a TIMESTAMP carries its offset in UTC, whatever zone wrote it; DATETIME none; JSON every digit', async () => {
        const admin = await mysql.createConnection(mysqlAdminUrl);
        try {
          await admin.query("set time_zone = '+02:00'");
          await admin.query('drop table if exists sr_instants');
          await admin.query('create table sr_instants (at timestamp(6) null, local datetime(6), doc json)');
          await admin.query(
            `insert into sr_instants values ('2024-06-30 12:00:00.123456', '2024-06-30 12:00:00.123456', '${JSON_TEXT}')`,
          );
        } finally {
          await admin.end();
        }
        const { columns, rows } = await collect(ds, {
          sql: 'select at, local, doc from sr_instants',
          values: [],
          timeoutMs: 10_000,
        });
        assert.deepEqual(
          columns.map((c) => c.type),
          ['timestamp', 'datetime', 'json'],
        );
        assert.deepEqual(rows, [
          ['2024-06-30 10:00:00.123456+00:00', '2024-06-30 12:00:00.123456', JSON_VALUE],
        ]);
      });
    }
  });
}
