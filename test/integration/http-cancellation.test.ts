/**
 * A client that goes away mid-query cancels the statement on the database: the test watches
 * PostgreSQL's own activity view.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { postgresAdminUrl, postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const reachable = await postgresReachable();
let t: TestApp;
let base = '';
const marker = `sr_disconnect_${process.pid}`;

before(async () => {
  if (!reachable) return;
  t = await createTestApp();
  const admin = { authorization: t.adminHeader };
  await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/connections/',
    headers: admin,
    payload: {
      name: 'pg-slow',
      driver: 'postgres',
      settings: postgresReaderSettings,
      statement_timeout_ms: 60_000,
    },
  });
  await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin,
    payload: { name: 'Slow', cluster: 'pg-slow', groups: ['*'], sql: `select pg_sleep(30) /* ${marker} */` },
  });
  base = await t.app.server.listen({ port: 0, host: '127.0.0.1' });
});
after(() => t?.close());

async function activeCount(): Promise<number> {
  // The admin sees every session's statement; the reader would see only its own.
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  const result = await client.query(
    "select count(*)::int as n from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()",
    [`%${marker}%`],
  );
  await client.end();
  return result.rows[0].n;
}

async function waitFor(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test('a disconnecting HTTP client cancels the query on PostgreSQL', { skip: !reachable }, async () => {
  const request = http.get(`${base}/api/call/slow/`, { headers: { authorization: t.adminHeader } });
  request.on('error', () => {});
  assert.ok(
    await waitFor(async () => (await activeCount()) === 1, 10_000),
    'the query started on the server',
  );
  request.destroy();
  assert.ok(
    await waitFor(async () => (await activeCount()) === 0, 5_000),
    'the query was cancelled on the server',
  );
});
