/**
 * A live report cannot be removed by one editor alone: deleting it needs an admin, and switching
 * it off is a draft that someone else approves. Deletion is soft: versions, comments and audit
 * records stay in the store, and the name is free again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let editorA = '';
let editorB = '';
let reader = '';

async function send(method: string, url: string, authorization: string, payload?: object) {
  return t.app.server.inject({ method: method as 'GET', url, headers: { authorization }, payload });
}

const report = (name: string, extra: object = {}) => ({
  name,
  cluster: 'demo',
  groups: ['*'],
  sql: 'select id, name from region',
  ...extra,
});

before(async () => {
  t = await createTestApp();
  editorA = await createToken(t, 'editor-a', ['editor']);
  editorB = await createToken(t, 'editor-b', ['editor']);
  reader = await createToken(t, 'reader', ['*']);
});
after(() => t?.close());

test('an editor cannot delete a live report; it keeps running', async () => {
  assert.equal(
    (await send('POST', '/api/admin/reports/', t.adminHeader, report('Kept alive'))).statusCode,
    201,
  );
  const refused = await send('DELETE', '/api/admin/reports/kept-alive/', editorA);
  assert.equal(refused.statusCode, 403);
  assert.match(refused.json().message, /is live: an admin deletes it/);
  assert.equal((await send('GET', '/api/call/kept-alive/', reader)).statusCode, 200);
});

test('deactivating needs a second person, after which the editor may delete', async () => {
  await send('POST', '/api/admin/reports/', t.adminHeader, report('Switch off'));
  const draft = await send(
    'PUT',
    '/api/admin/reports/switch-off/',
    editorA,
    report('Switch off', { active: false }),
  );
  assert.equal(draft.statusCode, 200, draft.body);
  const number = draft.json().records[0].version.number;
  assert.equal(draft.json().records[0].version.state, 'draft');
  assert.equal(
    (await send('GET', '/api/call/switch-off/', reader)).statusCode,
    200,
    'the draft changes nothing yet',
  );

  const versions = `/api/admin/reports/switch-off/versions/${number}`;
  assert.equal((await send('POST', `${versions}/submit/`, editorA)).statusCode, 200);
  assert.equal((await send('POST', `${versions}/approve/`, editorA)).statusCode, 403, 'not by its author');
  assert.equal((await send('POST', `${versions}/approve/`, editorB)).statusCode, 200);
  assert.equal((await send('POST', `${versions}/promote/`, editorA)).statusCode, 200);
  assert.equal((await send('GET', '/api/call/switch-off/', reader)).statusCode, 403, 'inactive now');

  const id = (await send('GET', '/report/get/switch-off', t.adminHeader)).json().records[0].id;
  assert.equal((await send('DELETE', '/api/admin/reports/switch-off/', editorA)).statusCode, 200);
  assert.equal((await send('GET', '/report/get/switch-off', t.adminHeader)).statusCode, 404);
  const listed = (await send('GET', '/api/admin/reports/', t.adminHeader)).json().records;
  assert.ok(!listed.some((r: { slug: string }) => r.slug === 'switch-off'));

  // Soft delete: the versions are still in the store, and the audit trail names the report.
  const kept = await t.app.store.db
    .selectFrom('report_version')
    .select(['number', 'state'])
    .where('report_id', '=', id)
    .orderBy('number')
    .execute();
  assert.deepEqual(
    kept.map((v) => v.state),
    ['superseded', 'live'],
  );
  const audit = await send('GET', '/api/admin/audit/?action=report.delete', t.adminHeader);
  const deletion = audit
    .json()
    .records.find((r: { params: { name?: string } }) => r.params.name === 'Switch off');
  assert.equal(deletion?.principal, 'editor-a');
});

test('an admin deletes a live report at once, and its name can be used again', async () => {
  await send('POST', '/api/admin/reports/', t.adminHeader, report('Reused name'));
  await send('POST', '/api/reports/reused-name/comments/', t.adminHeader, { body: 'before the delete' });
  const first = (await send('GET', '/report/get/reused-name', t.adminHeader)).json().records[0].id;
  assert.equal((await send('DELETE', '/api/admin/reports/reused-name/', t.adminHeader)).statusCode, 200);
  const again = await send('POST', '/api/admin/reports/', t.adminHeader, report('Reused name'));
  assert.equal(again.statusCode, 201, again.body);
  assert.notEqual(again.json().records[0].id, first);
  assert.equal(again.json().records[0].version.number, 1, 'the new report has its own history');
  const comments = await t.app.store.db
    .selectFrom('report_comment')
    .select('body')
    .where('report_id', '=', first)
    .execute();
  assert.deepEqual(
    comments.map((c) => c.body),
    ['before the delete'],
  );
  assert.equal(
    (await send('GET', '/api/reports/reused-name/comments/', t.adminHeader)).json().records.length,
    0,
  );
});

test('an editor may delete a report that never went live (created inactive)', async () => {
  const created = await send('POST', '/api/admin/reports/', editorA, report('Editor sketch'));
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().records[0].active, false);
  assert.equal((await send('DELETE', '/api/admin/reports/editor-sketch/', editorB)).statusCode, 200);
});
