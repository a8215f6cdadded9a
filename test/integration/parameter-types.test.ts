/**
 * Parameters reach every database with the type their field declares (SPEC §4.3, §4.7): an
 * `integer` field binds an integer, a `number` field a float, and a select or multiselect takes
 * the type of its choices (numbers stay numbers), through /api/call on real servers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DriverName } from '../../src/datasources/driver.ts';
import { type ReportConnection, reportConnections } from '../helpers/report-connections.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let connections: ReportConnection[] = [];

before(async () => {
  t = await createTestApp();
  connections = await reportConnections(t, 'ptypes');
});
after(() => t.close());

/**
 * What shows the bound type on each database: SQLite's `typeof`; on MySQL a number compares
 * numerically with '5.0' where text compares as text; PostgreSQL infers an untyped parameter's
 * type from the expression, so there the division is the check.
 */
const PROBE: Record<DriverName, string> = {
  sqlite: 'select typeof(:_x) as t, :_x / 2 as half',
  mysql: "select :_x = '5.0' as num, :_x / 2 as half",
  postgres: 'select :_x / 2 as half',
};

let saved = 0;
async function run(
  connection: ReportConnection,
  sql: string,
  field: Record<string, unknown>,
  query: string,
): Promise<Record<string, unknown>> {
  const name = `Param types ${++saved}`;
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader },
    payload: { name, cluster: connection.cluster, sql, groups: ['*'], fields: [field] },
  });
  assert.equal(response.statusCode, 201, response.body);
  const slug = name.toLowerCase().replaceAll(' ', '-');
  const called = await t.app.server.inject({
    url: `/api/call/${slug}/?${query}`,
    headers: { authorization: t.adminHeader },
  });
  assert.equal(called.statusCode, 200, called.body);
  const [record] = called.json().records as Array<Record<string, unknown>>;
  assert.ok(record, called.body);
  return record;
}

/** The probe's answer for the value 5, when it was bound as an integer. */
const INTEGER_FIVE: Record<DriverName, Record<string, unknown>> = {
  sqlite: { t: 'integer', half: 2 },
  mysql: { num: 1, half: 2.5 }, // MySQL's `/` always divides exactly; DIV is its integer division
  postgres: { half: 2 },
};

describe('parameter types on every database', () => {
  test('an integer field binds an integer: 5 / 2 is integer division where the database has it', async () => {
    for (const connection of connections) {
      const record = await run(
        connection,
        PROBE[connection.dialect],
        { name: '_x', type: 'integer' },
        '_x=5',
      );
      assert.deepEqual(record, INTEGER_FIVE[connection.dialect], connection.dialect);
    }
  });

  test('an integer field beyond 2^53 keeps every digit in arithmetic on the database', async () => {
    const sql: Record<DriverName, string> = {
      sqlite: 'select :_x - 1 as v',
      mysql: 'select :_x - 1 as v',
      postgres: 'select :_x::bigint - 1 as v',
    };
    for (const connection of connections) {
      const field = { name: '_x', type: 'integer' };
      const record = await run(connection, sql[connection.dialect], field, '_x=9007199254740993');
      assert.deepEqual(record, { v: '9007199254740992' }, connection.dialect);
    }
  });

  test('a number field still binds a float', async () => {
    const expected: Record<DriverName, Record<string, unknown>> = {
      sqlite: { t: 'real', half: 2.5 },
      mysql: { num: 1, half: 2.5 },
      postgres: { half: 2 }, // PostgreSQL types the parameter from `/ 2`, as before
    };
    for (const connection of connections) {
      const record = await run(connection, PROBE[connection.dialect], { name: '_x', type: 'number' }, '_x=5');
      assert.deepEqual(record, expected[connection.dialect], connection.dialect);
    }
  });

  test('a select with numeric static choices binds the number, not the query string text', async () => {
    for (const connection of connections) {
      const field = { name: '_x', type: 'select', choices: [{ value: 1 }, { value: 5 }] };
      const record = await run(connection, PROBE[connection.dialect], field, '_x=5');
      assert.deepEqual(record, INTEGER_FIVE[connection.dialect], connection.dialect);
    }
  });

  test('a select with text choices still binds text', async () => {
    const sql: Record<DriverName, string> = {
      sqlite: 'select typeof(:_x) as t',
      mysql: "select :_x = '5.0' as num",
      postgres: 'select :_x::text as t',
    };
    const expected: Record<DriverName, Record<string, unknown>> = {
      sqlite: { t: 'text' },
      mysql: { num: 0 },
      postgres: { t: '5' },
    };
    for (const connection of connections) {
      const field = { name: '_x', type: 'select', choices: [{ value: '5' }, { value: 'a' }] };
      const record = await run(connection, sql[connection.dialect], field, '_x=5');
      assert.deepEqual(record, expected[connection.dialect], connection.dialect);
    }
  });

  test('a multiselect whose choices SQL returns integers matches integer values', async () => {
    // An expression column has no affinity in SQLite: there `2 in ('2')` is false.
    const numbers = 'select 1 as v union all select 2 union all select 3';
    for (const connection of connections) {
      const field = { name: '_m', type: 'multiselect', choices_sql: numbers };
      const sql = `select count(*) as n from (${numbers}) s where v in (:_m)`;
      const record = await run(connection, sql, field, '_m=1&_m=3');
      assert.deepEqual(record, { n: 2 }, connection.dialect);
    }
  });
});
