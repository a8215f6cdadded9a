/**
 * The session settings the SQL template renderer and the binder assume are pinned by the drivers,
 * whatever the database says by default. Through the HTTP API, with a hostile value printed by
 * `{{ _x }}` next to a literal ending in a backslash:
 * - PostgreSQL, a role with `standard_conforming_strings = off` set on it: `'C:\'` would not end
 *   the literal, and `, current_user AS leak --` would become SQL;
 * - MariaDB with a global sql_mode holding NO_BACKSLASH_ESCAPES and ANSI_QUOTES (on a private
 *   server: the shared server's globals are never changed): `'a\''` would end early the same way.
 * The reports must return exactly the columns they spell, never a `leak` column.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createPostgresReader, postgresAdminUrl, withUser } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { type PrivateMariadb, startPrivateMariadb } from '../helpers/private-mariadb.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const HOSTILE = ', current_user AS leak --';
/** MariaDB starts a `--` comment only before a space. */
const HOSTILE_MARIADB = `${HOSTILE} `;
const PASSWORD = 'sr-test-pw';
const pgOk = await postgresReachable();

let t: TestApp;
const admin = () => ({ authorization: t.adminHeader });

async function post(url: string, payload: object) {
  const response = await t.app.server.inject({ method: 'POST', url, headers: admin(), payload });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0];
}

async function addReport(name: string, cluster: string, sql: string): Promise<string> {
  const fields = [{ name: '_x', type: 'text' }];
  return (await post('/api/admin/reports/', { name, cluster, sql, fields, groups: ['*'] })).slug;
}

async function call(slug: string, x = 'plain') {
  const response = await t.app.server.inject({
    url: `/api/call/${slug}/?_x=${encodeURIComponent(x)}`,
    headers: admin(),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().records as Array<Record<string, unknown>>;
}

before(async () => {
  t = await createTestApp();
});
after(() => t?.close());

describe('PostgreSQL: standard_conforming_strings is on for every report', { skip: !pgOk }, () => {
  const url = withUser(postgresAdminUrl, 'sr_test_nonstandard', PASSWORD);
  before(async () => {
    await createPostgresReader('sr_test_nonstandard', PASSWORD);
    // The hostile default, set on the role (fixture setup, as the superuser).
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    await client.query('alter role sr_test_nonstandard set standard_conforming_strings = off');
    await client.end();
    await post('/api/admin/connections/', { name: 'pg-nonstandard', driver: 'postgres', settings: { url } });
  });

  test('the role default really is off outside the driver (the fixture is hostile)', async () => {
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    try {
      const { rows } = await direct.query('show standard_conforming_strings');
      assert.equal(rows[0].standard_conforming_strings, 'off');
    } finally {
      await direct.end();
    }
  });

  test('a printed value next to a backslash literal stays a value', async () => {
    const slug = await addReport('Backslash dir', 'pg-nonstandard', "SELECT 'C:\\' AS dir, {{ _x }} AS v");
    const records = await call(slug, HOSTILE);
    assert.deepEqual(records, [{ dir: 'C:\\', v: HOSTILE }]);
  });

  test('the setting a report sees is on', async () => {
    const slug = await addReport(
      'PG strings setting',
      'pg-nonstandard',
      "SELECT current_setting('standard_conforming_strings') AS scs, {{ _x }} AS v",
    );
    assert.equal((await call(slug))[0]?.scs, 'on');
  });
});

describe('MariaDB: sql_mode without NO_BACKSLASH_ESCAPES and ANSI_QUOTES', () => {
  let server: PrivateMariadb | null = null;
  const port = 33_000 + (process.pid % 1000);
  before(async () => {
    server = await startPrivateMariadb(port, [
      '--sql-mode=NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES',
    ]);
    if (!server) return;
    await server.admin(`create database if not exists test;
      create user 'sr_report_reader'@'%' identified by '${PASSWORD}';
      grant select, show view on test.* to 'sr_report_reader'@'%'`);
    await post('/api/admin/connections/', {
      name: 'my-nobackslash',
      driver: 'mysql',
      settings: { host: '127.0.0.1', port, user: 'sr_report_reader', password: PASSWORD, database: 'test' },
    });
  });
  after(() => server?.stop());

  test('the server default really has both flags (the fixture is hostile)', async (context) => {
    if (!server) return context.skip('no private MariaDB');
    const direct = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'sr_report_reader',
      password: PASSWORD,
    });
    try {
      const [rows] = await direct.query('select @@session.sql_mode as mode');
      assert.match(
        String((rows as Array<{ mode: string }>)[0]?.mode),
        /NO_BACKSLASH_ESCAPES.*ANSI_QUOTES|ANSI_QUOTES.*NO_BACKSLASH_ESCAPES/,
      );
    } finally {
      await direct.end();
    }
  });

  test('a printed value after a backslash-escaped quote stays a value', async (context) => {
    if (!server) return context.skip('no private MariaDB');
    // With NO_BACKSLASH_ESCAPES, `'a\''` would read as `a\` followed by an escaped quote, the
    // literal would run on to the printed value's opening quote, and the rest would be SQL.
    const slug = await addReport('Backslash quote', 'my-nobackslash', "SELECT 'a\\'' AS s, {{ _x }} AS v");
    const records = await call(slug, HOSTILE_MARIADB);
    assert.deepEqual(records, [{ s: "a'", v: HOSTILE_MARIADB }]);
  });

  test('the session keeps the other flags and reads "…" as a string', async (context) => {
    if (!server) return context.skip('no private MariaDB');
    const slug = await addReport(
      'MariaDB sql_mode',
      'my-nobackslash',
      'SELECT @@session.sql_mode AS mode, "quoted" AS q, {{ _x }} AS v',
    );
    const [record] = await call(slug);
    const flags = String(record?.mode).split(',');
    assert.ok(flags.includes('STRICT_TRANS_TABLES'), String(record?.mode));
    assert.ok(
      !flags.includes('NO_BACKSLASH_ESCAPES') && !flags.includes('ANSI_QUOTES'),
      String(record?.mode),
    );
    assert.equal(record?.q, 'quoted');
  });
});
