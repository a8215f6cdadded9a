import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let editorA: string;
let editorB: string;
let user: string;
before(async () => {
  t = await createTestApp();
  editorA = await createToken(t, 'editor-a', ['editor', '*']);
  editorB = await createToken(t, 'editor-b', ['editor', '*']);
  user = await createToken(t, 'plain-user', ['*']);
});
after(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, authorization: string, payload?: object) =>
  t.app.server.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });

const runSelectTest = async (authorization = user) => {
  const response = await call('GET', '/api/call/select-test/?_select_test_one=1', authorization);
  assert.equal(response.statusCode, 200, response.body);
  return response.json().records;
};
const versionsOf = async (report: string, authorization = editorA) =>
  (await call('GET', `/api/admin/reports/${report}/versions/`, authorization)).json().records;
const act = (report: string, number: number, action: string, authorization: string, payload?: object) =>
  call('POST', `/api/admin/reports/${report}/versions/${number}/${action}/`, authorization, payload);

const base = {
  cluster: 'demo',
  groups: ['*'],
  fields: [{ name: '_select_test_one', label: 'Region id', type: 'integer', default: 1 }],
};
const ORIGINAL = 'select id, name from region where id = :_select_test_one';
const CHANGED = "select id, name, 'v2' as marker from region where id = :_select_test_one";

describe('report versions and review', () => {
  test('an admin save is a live version with a diff against the previous one', async () => {
    const before = await versionsOf('select-test');
    assert.deepEqual(
      before.map((v: { state: string }) => v.state),
      ['live'],
      'the demo import made version 1',
    );
    const saved = await call('PUT', '/api/admin/reports/select-test/', t.adminHeader, {
      ...base,
      sql: `${ORIGINAL} and 1 = 0`,
    });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().records[0].version, { number: 2, state: 'live' });
    const list = await versionsOf('select-test');
    assert.deepEqual(
      list.map((v: { number: number; state: string }) => [v.number, v.state]),
      [
        [2, 'live'],
        [1, 'superseded'],
      ],
    );
    assert.equal(list[0].author, 'demo-admin');
    const detail = (await call('GET', '/api/admin/reports/select-test/versions/2/', editorA)).json()
      .records[0];
    assert.match(detail.diff, /^-sql: select id, name from region where id = :_select_test_one$/m);
    assert.match(detail.diff, /^\+sql: select id, name from region where id = :_select_test_one and 1 = 0$/m);
    assert.equal(detail.definition.sql, `${ORIGINAL} and 1 = 0`);
    assert.deepEqual(await runSelectTest(), [], "an admin's save is live at once");
    await call('PUT', '/api/admin/reports/select-test/', t.adminHeader, { ...base, sql: ORIGINAL });
    assert.equal((await runSelectTest()).length, 1);
  });

  test('an editor save is a draft; the live report is unchanged until promoted', async () => {
    const saved = await call('PUT', '/api/admin/reports/select-test/', editorA, { ...base, sql: CHANGED });
    assert.equal(saved.statusCode, 200, saved.body);
    const { number, state } = saved.json().records[0].version;
    assert.equal(state, 'draft');
    assert.match(saved.json().message, /draft/);
    assert.equal(saved.json().records[0].sql, ORIGINAL, 'the answer shows the live definition');
    assert.equal('marker' in (await runSelectTest())[0], false, 'API calls still run the live version');

    const preview = await act('select-test', number, 'preview', editorB, { _select_test_one: 2 });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.deepEqual(
      preview.json().records.map((r: { id: number; marker: string }) => [r.id, r.marker]),
      [[2, 'v2']],
    );
    assert.equal((await act('select-test', number, 'preview', user)).statusCode, 403, 'not for users');

    assert.equal((await act('select-test', number, 'approve', editorB)).statusCode, 409, 'not in review yet');
    const submitted = await act('select-test', number, 'submit', editorA);
    assert.equal(submitted.json().records[0].state, 'in_review');

    const updates = (await call('GET', '/api/admin/updates/', editorB)).json().records;
    const pending = updates.find((u: { report: { slug: string } }) => u.report.slug === 'select-test');
    assert.equal(pending.number, number);
    assert.equal(pending.awaiting, 'approval');
    assert.equal(pending.can_approve, true);
    const mine = (await call('GET', '/api/admin/updates/', editorA)).json().records;
    assert.equal(mine.find((u: { number: number }) => u.number === number).can_approve, false);
    assert.equal((await call('GET', '/api/admin/updates/', user)).statusCode, 403);

    const self = await act('select-test', number, 'approve', editorA);
    assert.equal(self.statusCode, 403);
    assert.equal(self.json().message, 'approval must come from someone other than the author');
    const approved = await act('select-test', number, 'approve', editorB);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().records[0].reviewed_by, 'editor-b');
    assert.equal('marker' in (await runSelectTest())[0], false, 'approved is not live yet');
    const awaiting = (await call('GET', '/api/admin/updates/', editorA)).json().records;
    assert.equal(awaiting.find((u: { number: number }) => u.number === number).awaiting, 'promotion');

    const promoted = await act('select-test', number, 'promote', editorA);
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.equal((await runSelectTest())[0].marker, 'v2', 'API calls now get the promoted version');
    const states = (await versionsOf('select-test')).map((v: { number: number; state: string }) => [
      v.number,
      v.state,
    ]);
    assert.deepEqual(states[0], [number, 'live']);
    assert.equal(states.filter(([, s]: [number, string]) => s === 'live').length, 1);
    const audits = await t.app.store.db
      .selectFrom('audit')
      .select('action')
      .where('action', 'like', 'report.version.%')
      .execute();
    assert.deepEqual(
      audits.map((a) => a.action),
      ['report.version.submit', 'report.version.approve', 'report.version.promote'],
    );
    assert.equal((await act('select-test', number, 'promote', editorA)).statusCode, 409, 'already live');
  });

  test('a new report by an editor stays inactive until its draft is promoted', async () => {
    const created = await call('POST', '/api/admin/reports/', editorA, {
      ...base,
      name: 'Editor draft report',
      sql: ORIGINAL,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().records[0].version, { number: 1, state: 'draft' });
    assert.equal(created.json().records[0].active, false);
    const url = '/api/call/editor-draft-report/?_select_test_one=1';
    assert.equal((await call('GET', url, user)).statusCode, 403, 'nobody but admins runs it');
    assert.equal((await call('GET', url, t.adminHeader)).statusCode, 200);

    await act('editor-draft-report', 1, 'submit', editorA);
    await act('editor-draft-report', 1, 'approve', editorB);
    const promoted = await act('editor-draft-report', 1, 'promote', editorB);
    assert.equal(promoted.json().records[0].active, true, 'active as the draft says');
    assert.equal((await call('GET', url, user)).statusCode, 200);
  });

  test('rejection, and editors cannot act on admin-only reports', async () => {
    const saved = await call('PUT', '/api/admin/reports/select-test/', editorA, { ...base, sql: ORIGINAL });
    const { number } = saved.json().records[0].version;
    await act('select-test', number, 'submit', editorA);
    const rejected = await act('select-test', number, 'reject', editorB);
    assert.equal(rejected.json().records[0].state, 'rejected');
    assert.equal((await act('select-test', number, 'promote', editorB)).statusCode, 409);

    await call('POST', '/api/admin/reports/', t.adminHeader, {
      ...base,
      name: 'Admin only report',
      sql: ORIGINAL,
      admin_only: true,
    });
    assert.equal(
      (await call('GET', '/api/admin/reports/admin-only-report/versions/', editorA)).statusCode,
      403,
    );
    assert.equal((await act('admin-only-report', 1, 'preview', editorA)).statusCode, 403);
    const edit = await call('PUT', '/api/admin/reports/admin-only-report/', editorA, {
      ...base,
      sql: CHANGED,
    });
    assert.equal(edit.statusCode, 403);
  });

  test('versions are immutable: no route changes them and later saves leave them as they were', async () => {
    const first = (await call('GET', '/api/admin/reports/select-test/versions/1/', editorA)).json()
      .records[0];
    for (const method of ['PUT', 'DELETE'] as const) {
      const response = await call(method, '/api/admin/reports/select-test/versions/1/', t.adminHeader, {
        definition: { sql: 'select 1' },
      });
      assert.equal(response.statusCode, 404, `${method} has no route`);
    }
    await call('PUT', '/api/admin/reports/select-test/', t.adminHeader, {
      ...base,
      sql: `${ORIGINAL} and 2 = 2`,
    });
    const again = (await call('GET', '/api/admin/reports/select-test/versions/1/', editorA)).json()
      .records[0];
    assert.deepEqual(again, first);
  });

  test('a bundle import that changes a report makes a live version; an unchanged one makes none', async () => {
    const exported = (await call('GET', '/api/admin/bundle/export/?format=json', t.adminHeader)).json();
    const count = (await versionsOf('customer-by-id')).length;
    const same = await call('POST', '/api/admin/bundle/import/', t.adminHeader, exported);
    assert.equal(same.statusCode, 200, same.body);
    assert.equal((await versionsOf('customer-by-id')).length, count);
    const report = exported.reports.find((r: { name: string }) => r.name === 'Customer by id');
    report.description = 'Changed by import';
    await call('POST', '/api/admin/bundle/import/', t.adminHeader, { reports: [report] });
    const [latest] = await versionsOf('customer-by-id');
    assert.equal(latest.state, 'live');
    assert.equal(latest.number, count + 1);
    const detail = (
      await call('GET', `/api/admin/reports/customer-by-id/versions/${latest.number}/`, editorA)
    ).json().records[0];
    assert.match(detail.diff, /^\+description: Changed by import$/m);
  });
});
