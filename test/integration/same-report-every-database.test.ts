/**
 * One report over PostgreSQL, MariaDB and SQLite holding the same data gives identical records,
 * through the whole stack (admin API, cluster strategies, /api/call).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlAdminUrl, mysqlUrl, postgresAdminUrl, postgresReaderSettings } from '../helpers/databases.ts';
import { unavailable } from '../helpers/skip-or-fail.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const TABLE = 'sr_same_data';
const rows = [
  "(1, '2024-02-29', '2024-02-29 13:45:59.123456', 12345.67, 0.10, 9007199254740993, TRUE, '{\"a\": [1, 2], \"b\": {\"c\": null}}', 'it''s ünïcode ✓')",
  '(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)',
  "(3, '1999-12-31', '1999-12-31 23:59:59.000001', -0.01, 3.14, -42, FALSE, '[]', '')",
];

async function reachable(check: () => Promise<unknown>, what: string): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    unavailable(`${what} not reachable`);
    return false;
  }
}

let t: TestApp;
let pgOk = false;
let myOk = false;

before(async () => {
  t = await createTestApp();
  pgOk = await reachable(async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    await client.query(`drop table if exists ${TABLE}`);
    await client.query(
      `create table ${TABLE} (id int, d date, ts timestamp(6), amount numeric(12,2), ratio numeric(6,2), big bigint, flag boolean, doc jsonb, note text)`,
    );
    await client.query(`insert into ${TABLE} values ${rows.join(',')}`);
    await client.end();
  }, `PostgreSQL at ${postgresAdminUrl}`);
  myOk = await reachable(async () => {
    const connection = await mysql.createConnection(mysqlAdminUrl);
    await connection.query(`drop table if exists ${TABLE}`);
    await connection.query(
      `create table ${TABLE} (id int, d date, ts datetime(6), amount decimal(12,2), ratio decimal(6,2), big bigint, flag boolean, doc json, note text) character set utf8mb4`,
    );
    await connection.query(`insert into ${TABLE} values ${rows.join(',')}`);
    await connection.end();
  }, `MariaDB at ${mysqlAdminUrl}`);
  const file = path.join(t.dataDir, 'same.sqlite');
  const sqlite = new Database(file);
  sqlite.exec(
    `create table ${TABLE} (id INTEGER, d DATE, ts TIMESTAMP, amount DECIMAL, ratio DECIMAL, big INTEGER, flag BOOLEAN, doc JSON, note TEXT)`,
  );
  sqlite.exec(
    `insert into ${TABLE} values ${rows.join(',').replaceAll('TRUE', '1').replaceAll('FALSE', '0')}`,
  );
  sqlite.close();
  const admin = { authorization: t.adminHeader };
  const connections = [
    { name: 'same-sqlite', driver: 'sqlite', settings: { file } },
    ...(pgOk
      ? [
          {
            name: 'same-pg',
            driver: 'postgres',
            settings: postgresReaderSettings,
          },
        ]
      : []),
    ...(myOk
      ? [
          {
            name: 'same-mysql',
            driver: 'mysql',
            settings: { url: mysqlUrl },
          },
        ]
      : []),
  ];
  for (const connection of connections) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: admin,
      payload: connection,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  await t.app.server.inject({
    method: 'PUT',
    url: '/api/admin/clusters/same-all/',
    headers: admin,
    payload: { connections: connections.map((c) => c.name) },
  });
  for (const [name, cluster, strategy] of [
    ['Same on sqlite', 'same-sqlite', 'balance'],
    ['Same on pg', 'same-pg', 'balance'],
    ['Same on mysql', 'same-mysql', 'balance'],
    ['Same distributed', 'same-all', 'distribute'],
  ]) {
    await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: admin,
      payload: {
        name,
        cluster,
        strategy,
        groups: ['*'],
        sql: `select id, d, ts, amount, ratio, big, flag, doc, note from ${TABLE} where id >= :_min order by id`,
      },
    });
  }
});
after(() => t.close());

const run = (slug: string) =>
  t.app.server.inject({ url: `/api/call/${slug}/?_min=0`, headers: { authorization: t.adminHeader } });

const expected = [
  {
    id: 1,
    d: '2024-02-29',
    ts: '2024-02-29 13:45:59.123456',
    amount: 12345.67,
    ratio: 0.1,
    big: '9007199254740993',
    flag: true,
    doc: { a: [1, 2], b: { c: null } },
    note: "it's ünïcode ✓",
  },
  { id: 2, d: null, ts: null, amount: null, ratio: null, big: null, flag: null, doc: null, note: null },
  {
    id: 3,
    d: '1999-12-31',
    ts: '1999-12-31 23:59:59.000001',
    amount: -0.01,
    ratio: 3.14,
    big: -42,
    flag: false,
    doc: [],
    note: '',
  },
];

test('SQLite gives the expected records', async () => {
  const response = await run('same-on-sqlite');
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json().records, expected);
});

test('PostgreSQL gives identical records', async (ctx) => {
  if (!pgOk) return ctx.skip('PostgreSQL not reachable');
  assert.deepEqual((await run('same-on-pg')).json().records, expected);
});

test('MariaDB gives identical records', async (ctx) => {
  if (!myOk) return ctx.skip('MariaDB not reachable');
  assert.deepEqual((await run('same-on-mysql')).json().records, expected);
});

test('distribute over every database gives one identical section per connection', async () => {
  const records = (await run('same-distributed')).json().records as Array<{ connection: string }>;
  const names = [...new Set(records.map((r) => r.connection))];
  assert.equal(names.length, 1 + Number(pgOk) + Number(myOk));
  for (const name of names) {
    const section = records.filter((r) => r.connection === name).map(({ connection: _c, ...rest }) => rest);
    assert.deepEqual(section, expected, `section ${name}`);
  }
});
