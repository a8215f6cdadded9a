/**
 * Every path that runs report SQL hides the database's words from a plain token: exports, the
 * template page, panel sections, choices queries (on their own and while checking a select
 * parameter). Timeouts and unreachable databases keep their own messages, which name no SQL,
 * host, user or password.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

const MARKER = 'sr-path-marker';
/** Parses, then fails while it runs: `json()` refuses the text. */
const FAILING = `select json(note) as doc from (select '${MARKER}' as note)`;
const pgOk = await postgresReachable();

let t: TestApp;
let plain: string;
let choicesFieldId = 0;

async function create(url: string, payload: unknown) {
  const response = await t.app.server.inject({
    method: 'POST',
    url,
    headers: { authorization: t.adminHeader },
    payload: payload as Record<string, unknown>,
  });
  assert.equal(response.statusCode, 201, response.body);
}

before(async () => {
  t = await createTestApp({ ALLOW_PRIVATE_TARGETS: 'true' });
  await create('/api/admin/connections/', {
    name: 'paths',
    driver: 'sqlite',
    settings: { file: path.join(t.dataDir, 'demo.sqlite') },
  });
  await create('/api/admin/connections/', {
    name: 'paths-dead',
    driver: 'postgres',
    settings: { host: '127.0.0.1', port: 1, user: 'nobody-user', password: 'pw-do-not-show', database: 'x' },
  });
  if (pgOk) {
    await create('/api/admin/connections/', {
      name: 'paths-pg',
      driver: 'postgres',
      settings: postgresReaderSettings,
      statement_timeout_ms: 300,
    });
  }
  const common = { cluster: 'paths', groups: ['paths'] };
  const reports = [
    { name: 'paths-table', sql: FAILING },
    {
      name: 'paths-template',
      type: 'template',
      sql: FAILING,
      output: { html_template: '<p>{{ records }}</p>' },
    },
    {
      name: 'paths-panel',
      type: 'panel',
      sections: [
        { title: 'fine', sql: 'select 1 as n' },
        { title: 'failing', sql: FAILING },
      ],
    },
    {
      name: 'paths-choices',
      sql: 'select :_pick as picked',
      fields: [{ name: '_pick', type: 'select', choices_sql: FAILING }],
    },
    { name: 'paths-dead', sql: `select '${MARKER}' as n`, cluster: 'paths-dead' },
    ...(pgOk
      ? [{ name: 'paths-slow', sql: `select pg_sleep(3) as slept, '${MARKER}' as m`, cluster: 'paths-pg' }]
      : []),
  ];
  for (const report of reports) await create('/api/admin/reports/', { ...common, ...report });
  const definition = await t.app.server.inject({
    url: '/report/get/paths-choices',
    headers: { authorization: t.adminHeader },
  });
  choicesFieldId = definition.json().records[0].fields[0].id;
  plain = await createToken(t, 'paths-reader', ['paths']);
});
after(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.server.inject({ url, headers: { authorization: plain, ...headers } });

function assertHidden(response: Awaited<ReturnType<typeof get>>) {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(
    response.json().message,
    `The report failed on the database (request ${response.headers['x-request-id']})`,
  );
  assert.ok(!/malformed|json|sr-path-marker/i.test(response.json().message), response.body);
}

describe('a plain token sees no database text on any path', () => {
  test('exports: CSV, NDJSON and XLSX by path, CSV by Accept, and POST', async () => {
    for (const format of ['csv', 'ndjson', 'xlsx'])
      assertHidden(await get(`/api/call/paths-table/${format}/`));
    assertHidden(await get('/api/call/paths-table/', { accept: 'text/csv' }));
    assertHidden(
      await t.app.server.inject({
        method: 'POST',
        url: '/api/call/paths-table/',
        headers: { authorization: plain },
      }),
    );
  });

  test('the template page, with and without template_only', async () => {
    assertHidden(await get('/template/paths-template/'));
    assertHidden(await get('/template/paths-template/?template_only=Y'));
  });

  test('a panel report whose second section fails', async () => {
    assertHidden(await get('/api/call/paths-panel/'));
  });

  test('a choices query, on its own and while checking a select parameter', async () => {
    assertHidden(await get(`/api/choices/${choicesFieldId}/`));
    assertHidden(await get('/api/call/paths-choices/?_pick=a'));
  });

  test('an admin still reads the text on those paths', async () => {
    const admin = { authorization: t.adminHeader };
    for (const url of [
      '/api/call/paths-table/csv/',
      '/api/call/paths-panel/',
      `/api/choices/${choicesFieldId}/`,
    ]) {
      const response = await get(url, admin);
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.json().message, /malformed JSON/);
    }
  });
});

test("a schedule's run history, read by its owner, keeps no database text", async () => {
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/schedules/',
    headers: { authorization: plain },
    payload: {
      report: 'paths-table',
      cron: 'daily',
      timezone: 'UTC',
      deliveries: { api: { url: 'http://127.0.0.1:9/never-called' } },
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().records[0].id;
  const ran = await t.app.server.inject({
    method: 'POST',
    url: `/api/schedules/${id}/run-now/`,
    headers: { authorization: plain },
  });
  assert.equal(ran.statusCode, 200, ran.body);
  const runs = await get(`/api/schedules/${id}/runs/`);
  assert.equal(runs.statusCode, 200, runs.body);
  assert.equal(runs.json().records[0].outcome, 'error');
  assert.match(runs.json().records[0].error, /^The report failed on the database/);
  assert.ok(!/malformed|sr-path-marker/i.test(ran.body + runs.body), runs.body);
});

describe('messages of our own stay as they are', () => {
  test('an unreachable database is a 502 naming no host, user or password', async () => {
    const response = await get('/api/call/paths-dead/');
    assert.equal(response.statusCode, 502, response.body);
    assert.match(response.json().message, /Cannot connect to the database: connection refused/);
    for (const secret of ['pw-do-not-show', 'nobody-user', '127.0.0.1', ':1', MARKER]) {
      assert.ok(!response.body.includes(secret), `${secret} in ${response.body}`);
    }
  });

  test('a timeout is a 504 that says so, without the SQL', { skip: !pgOk }, async () => {
    const response = await get('/api/call/paths-slow/');
    assert.equal(response.statusCode, 504, response.body);
    assert.match(response.json().message, /statement timeout of 0.3 s/);
    assert.ok(!/pg_sleep|sr-path-marker/.test(response.body), response.body);
  });
});
