/**
 * A report whose SQL fails on the database at run time, on real PostgreSQL, MariaDB and SQLite:
 * a plain token gets a generic message with the request id; editors and admins, who may see the
 * SQL, get the database's words; the audit record and one error log line hold the full text.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlReaderSettings, mysqlUrl, postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { unavailable } from '../helpers/skip-or-fail.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

const MARKER = 'sr-leak-marker';

async function mysqlReachable(): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
    await connection.end();
    return true;
  } catch {
    unavailable(`MariaDB not reachable at ${mysqlUrl}`);
    return false;
  }
}

const pgOk = await postgresReachable();
const myOk = await mysqlReachable();

/** Each SQL passes the database's parser and fails while it runs, in words that quote the query. */
const cases = [
  {
    driver: 'sqlite',
    ok: true,
    sql: `select json(note) as doc from (select '${MARKER}' as note)`,
    text: /malformed JSON/,
  },
  {
    driver: 'postgres',
    ok: pgOk,
    sql: `select cast(note as integer) as n from (values ('1'), ('${MARKER}')) as t(note)`,
    text: new RegExp(`invalid input syntax for type integer: "${MARKER}"`),
  },
  {
    driver: 'postgres',
    ok: pgOk,
    sql: 'select 10 / (n - 2) as ratio from (values (1), (2)) as t(n)',
    text: /division by zero/,
    slug: 'leak-postgres-division',
  },
  {
    driver: 'mysql',
    ok: myOk,
    sql: `select (select '${MARKER}' union select n from (select 'b' as n) as x) as n`,
    text: /Subquery returns more than 1 row/,
  },
];

let t: TestApp;
let plain: string;
let editor: string;
const output: string[] = [];
const linesOf = (requestId: unknown) =>
  output
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.reqId === requestId);
const slugOf = (testCase: (typeof cases)[number]) => testCase.slug ?? `leak-${testCase.driver}`;

before(async () => {
  t = await createTestApp(
    { CUSTOM_FEATURES: 'audit', LOG_LEVEL: 'info' },
    { logStream: { write: (line) => output.push(line) } },
  );
  const admin = { authorization: t.adminHeader };
  const connections = [
    { name: 'leak-sqlite', driver: 'sqlite', settings: { file: path.join(t.dataDir, 'demo.sqlite') } },
    ...(pgOk
      ? [
          {
            name: 'leak-postgres',
            driver: 'postgres',
            settings: postgresReaderSettings,
          },
        ]
      : []),
    ...(myOk
      ? [
          {
            name: 'leak-mysql',
            driver: 'mysql',
            settings: mysqlReaderSettings,
          },
        ]
      : []),
  ];
  for (const payload of connections) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: admin,
      payload,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  for (const testCase of cases.filter((c) => c.ok)) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: admin,
      payload: {
        name: slugOf(testCase),
        cluster: `leak-${testCase.driver}`,
        sql: testCase.sql,
        groups: ['leaks'],
      },
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  plain = await createToken(t, 'leak-reader', ['leaks']);
  editor = await createToken(t, 'leak-editor', ['leaks', 'editor']);
});
after(() => t.close());

const run = (slug: string, authorization: string) =>
  t.app.server.inject({ url: `/api/call/${slug}/`, headers: { authorization } });

for (const testCase of cases) {
  const slug = slugOf(testCase);
  describe(`${slug}: a run-time database error`, { skip: !testCase.ok }, () => {
    test('a plain token gets the generic message naming its request id, nothing of the SQL', async () => {
      const response = await run(slug, plain);
      assert.equal(response.statusCode, 400, response.body);
      const requestId = String(response.headers['x-request-id']);
      assert.deepEqual(response.json(), {
        message: `The report failed on the database (request ${requestId})`,
        ok: false,
        records: [],
      });
      assert.ok(!response.body.includes(MARKER), response.body);
    });

    test('an editor and an admin get the database text', async () => {
      for (const authorization of [editor, t.adminHeader]) {
        const response = await run(slug, authorization);
        assert.equal(response.statusCode, 400, response.body);
        assert.match(response.json().message, testCase.text);
        assert.equal(response.json().ok, false);
      }
    });

    test('one error line with the request id holds the full text', async () => {
      const response = await run(slug, plain);
      const lines = linesOf(response.headers['x-request-id']);
      const errors = lines.filter((line) => line.level === 50);
      assert.equal(errors.length, 1, JSON.stringify(lines));
      assert.equal(errors[0]?.msg, 'report failed on the database');
      assert.match(String(errors[0]?.databaseError), testCase.text);
    });

    test('the audit record of the run holds the full text', async () => {
      const response = await t.app.server.inject({
        url: `/api/admin/audit/?principal=leak-reader&report=${slug}`,
        headers: { authorization: t.adminHeader },
      });
      assert.equal(response.statusCode, 200, response.body);
      const records = response.json().records as Array<{ outcome: string; error: string; action: string }>;
      assert.ok(records.length >= 1, response.body);
      for (const record of records) {
        assert.equal(record.action, 'report.run');
        assert.equal(record.outcome, 'error');
        assert.match(record.error, testCase.text);
      }
    });
  });
}
