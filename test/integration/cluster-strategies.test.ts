/**
 * Cluster strategies through the whole stack: balance fails over past an unreachable connection,
 * consolidate and distribute refuse to give partial answers, and database errors map to the
 * envelope's statuses without leaking connection details.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const pgOk = await postgresReachable();
const admin = () => ({ authorization: t.adminHeader });

before(async () => {
  t = await createTestApp();
  const demoFile = path.join(t.dataDir, 'demo.sqlite');
  const connections = [
    {
      name: 'dead',
      driver: 'postgres',
      settings: { host: '127.0.0.1', port: 1, user: 'nobody', password: 'do-not-show', database: 'x' },
    },
    { name: 'alive', driver: 'sqlite', settings: { file: demoFile } },
    {
      name: 'pg',
      driver: 'postgres',
      settings: postgresReaderSettings,
      statement_timeout_ms: 500,
    },
  ];
  for (const payload of connections) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: admin(),
      payload,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  await t.app.server.inject({
    method: 'PUT',
    url: '/api/admin/clusters/flaky/',
    headers: admin(),
    payload: { connections: ['dead', 'alive'] },
  });
  const reports = [
    { name: 'Flaky balance', cluster: 'flaky', strategy: 'balance', sql: 'select count(*) as n from region' },
    {
      name: 'Flaky consolidate',
      cluster: 'flaky',
      strategy: 'consolidate',
      sql: 'select count(*) as n from region',
    },
    { name: 'Only dead', cluster: 'dead', sql: 'select 1 as n' },
    { name: 'Too slow', cluster: 'pg', sql: 'select pg_sleep(5) as slept' },
    { name: 'Bad sql', cluster: 'alive', sql: 'select * from no_such_table' },
  ];
  for (const report of reports) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: admin(),
      payload: { ...report, groups: ['*'] },
    });
    assert.equal(response.statusCode, 201, response.body);
  }
});
after(() => t.close());

const call = (slug: string) => t.app.server.inject({ url: `/api/call/${slug}/`, headers: admin() });

test('balance fails over to the next connection when one is unreachable', async () => {
  for (let i = 0; i < 4; i++) {
    const response = await call('flaky-balance');
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records, [{ n: 9 }]);
  }
});

test('consolidate with an unreachable member is a 502, never a partial answer', async () => {
  const response = await call('flaky-consolidate');
  assert.equal(response.statusCode, 502);
  assert.equal(response.json().ok, false);
  assert.match(response.json().message, /connect/i);
  assert.ok(!response.body.includes('do-not-show'));
});

test('an unreachable database is a 502 that hides the connection settings', async () => {
  const response = await call('only-dead');
  assert.equal(response.statusCode, 502);
  assert.ok(!/do-not-show|nobody/.test(response.body), response.body);
});

test('a query past the statement timeout is a 504', { skip: !pgOk }, async () => {
  const response = await call('too-slow');
  assert.equal(response.statusCode, 504, response.body);
  assert.match(response.json().message, /timeout/i);
});

test('SQL the database rejects is a 400 with its message; writes are refused', async () => {
  const bad = await call('bad-sql');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /no such table: no_such_table/);
  const writes = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin(),
    payload: { name: 'Writes', cluster: 'alive', sql: 'delete from region', groups: ['*'] },
  });
  assert.equal(writes.statusCode, 400);
  assert.match(writes.json().message, /read-only statement .*\(found DELETE\)/);
  const count = await t.app.server.inject({ url: '/api/call/flaky-balance/', headers: admin() });
  assert.deepEqual(count.json().records, [{ n: 9 }], 'nothing was deleted');
});
