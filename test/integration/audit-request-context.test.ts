/**
 * Every audit record made through the HTTP API carries the client address and the request id,
 * and the id is the one the answer's X-Request-Id header gave the caller. Failed runs and panel
 * runs record the SQL they rendered and the connections they used.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REQUEST_ID_HEADER } from '../../src/http/request-observability.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let editorA = '';
let editorB = '';
let startId = 0;
/** Request id → what the request was, for every change made below. */
const changes = new Map<string, string>();

async function change(method: string, url: string, payload?: object, authorization = t.adminHeader) {
  const response = await t.app.server.inject({
    method: method as 'POST',
    url,
    headers: { authorization },
    ...(payload ? { payload } : {}),
  });
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.body}`);
  const id = response.headers[REQUEST_ID_HEADER];
  assert.equal(typeof id, 'string');
  changes.set(String(id), `${method} ${url}`);
  return response;
}

before(async () => {
  t = await createTestApp({ CUSTOM_FEATURES: 'audit', ALLOW_PRIVATE_TARGETS: 'true' });
  editorA = await createToken(t, 'ctx-editor-a', ['editor']);
  editorB = await createToken(t, 'ctx-editor-b', ['editor']);
  const last = await t.app.store.db
    .selectFrom('audit')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirstOrThrow();
  startId = Number(last.id ?? 0);
});
after(() => t?.close());

test('every admin change through the API has the client and the request id of its answer', async () => {
  await change('POST', '/api/admin/tokens/', { name: 'ctx-token', groups: ['*'], expiry: '1d' });
  await change('DELETE', '/api/admin/tokens/ctx-token/');
  const sqlite = { name: 'ctx-db', driver: 'sqlite', settings: { file: 'demo.sqlite' } };
  await change('POST', '/api/admin/connections/', { ...sqlite, create_cluster: false });
  await change('PUT', '/api/admin/connections/ctx-db/', { ...sqlite, pool_size: 2 });
  await change('PUT', '/api/admin/clusters/ctx-cluster/', { connections: ['ctx-db'] });
  await change('DELETE', '/api/admin/clusters/ctx-cluster/');
  await change('DELETE', '/api/admin/connections/ctx-db/');
  const report = { name: 'Ctx report', cluster: 'demo', groups: ['*'], sql: 'select id from region' };
  await change('POST', '/api/admin/reports/', report);
  await change('PUT', '/api/admin/reports/ctx-report/', { ...report, description: 'changed' });
  const draft = await change(
    'PUT',
    '/api/admin/reports/ctx-report/',
    { ...report, description: 'draft' },
    editorA,
  );
  const versions = `/api/admin/reports/ctx-report/versions/${draft.json().records[0].version.number}`;
  await change('POST', `${versions}/submit/`, undefined, editorA);
  await change('POST', `${versions}/approve/`, undefined, editorB);
  await change('POST', `${versions}/promote/`, undefined, editorA);
  const comment = await change('POST', '/api/reports/ctx-report/comments/', { body: 'first' });
  const commentUrl = `/api/reports/ctx-report/comments/${comment.json().records[0].id}/`;
  await change('PUT', commentUrl, { body: 'second' });
  await change('DELETE', commentUrl);
  await change('POST', '/api/admin/group-lists/', { name: 'ctx-list', description: 'Ctx' });
  await change('PUT', '/api/admin/group-lists/ctx-list/', { description: 'Ctx 2' });
  await change('POST', '/api/admin/group-lists/ctx-list/members/', { email: 'ctx@example.com' });
  await change('DELETE', '/api/admin/group-lists/ctx-list/members/ctx@example.com/');
  await change('DELETE', '/api/admin/group-lists/ctx-list/');
  const access = await change('POST', '/api/admin/access-groups/', {
    table: 'region',
    group: 'x',
    where: 'id = 1',
  });
  await change('DELETE', `/api/admin/access-groups/${access.json().records[0].id}/`);
  await change('POST', '/api/admin/users/', {
    email: 'ctx.user@example.com',
    password: 'a long enough password',
  });
  await change('POST', '/api/admin/users/ctx.user@example.com/refresh-groups/');
  await change('DELETE', '/api/admin/users/ctx.user@example.com/');
  const schedule = await change('POST', '/api/schedules/', {
    report: 'ctx-report',
    cron: 'daily',
    timezone: 'UTC',
    params: {},
    deliveries: { api: { url: 'http://127.0.0.1:9/hook', headers: {} } },
  });
  const scheduleUrl = `/api/schedules/${schedule.json().records[0].id}/`;
  await change('PUT', scheduleUrl, { cron: 'hourly' });
  await change('DELETE', scheduleUrl);
  await change('DELETE', '/api/admin/reports/ctx-report/');

  const rows = await t.app.store.db
    .selectFrom('audit')
    .selectAll()
    .where('id', '>', startId)
    .where('action', '!=', 'report.run')
    .orderBy('id')
    .execute();
  const bad = rows
    .filter((row) => !row.client || !row.request_id || !changes.has(row.request_id))
    .map((row) => `${row.action}: client=${row.client} request_id=${row.request_id}`);
  assert.deepEqual(bad, [], 'records without client or with a request id no answer gave');
  const audited = new Set(rows.map((row) => row.request_id));
  const silent = [...changes].filter(([id]) => !audited.has(id)).map(([, what]) => what);
  assert.deepEqual(silent, [], 'changes that left no audit record with their request id');
  const actions = new Set(rows.map((row) => row.action.split('.')[0]));
  for (const kind of ['token', 'connection', 'cluster', 'report', 'comment', 'group_list', 'access_group']) {
    assert.ok(actions.has(kind), `no ${kind} record`);
  }
  assert.ok(actions.has('user') && actions.has('schedule'));
});

async function runAudit(slug: string) {
  const response = await t.app.server.inject({
    url: `/api/call/${slug}/`,
    headers: { authorization: t.adminHeader },
  });
  const record = (
    await t.app.services.audit.search(internalContext('admin'), {
      report: slug,
      action: 'report.run',
      limit: 1,
    })
  )[0];
  assert.ok(record, `no run record for ${slug}`);
  assert.equal(record.request_id, response.headers[REQUEST_ID_HEADER]);
  return { response, record };
}

test('a failed run records the connections it was sent to and the SQL it rendered', async () => {
  await change('POST', '/api/admin/reports/', {
    name: 'Ctx failing',
    cluster: 'demo',
    groups: ['*'],
    sql: 'select {{ report_name }} as name, no_such_column from region',
  });
  const { response, record } = await runAudit('ctx-failing');
  assert.ok(response.statusCode >= 400, response.body);
  assert.equal(record.outcome, 'error');
  assert.equal(record.connections, 'demo');
  assert.equal(record.sql, "select 'Ctx failing' as name, no_such_column from region");
});

test('a panel run records every section as rendered, and its connections', async () => {
  await change('POST', '/api/admin/reports/', {
    name: 'Ctx panel',
    type: 'panel',
    cluster: 'demo',
    groups: ['*'],
    sections: [
      { title: 'One', sql: 'select {{ report_name }} as one' },
      { title: 'Two', sql: 'select count(*) as n from region' },
    ],
  });
  const { response, record } = await runAudit('ctx-panel');
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(record.connections, 'demo');
  assert.equal(record.sql, "select 'Ctx panel' as one\n;\nselect count(*) as n from region");
  assert.ok(record.client);
});
