import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let alice: string;
let bob: string;
let outsider: string;
let editor: string;
before(async () => {
  t = await createTestApp();
  // A report only the `sales` group runs.
  const saved = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader },
    payload: { name: 'Sales only', cluster: 'demo', sql: 'select 1 as one', groups: ['sales'] },
  });
  assert.equal(saved.statusCode, 201, saved.body);
  alice = await createToken(t, 'alice', ['sales', '*']);
  bob = await createToken(t, 'bob', ['sales']);
  outsider = await createToken(t, 'outsider', ['*', 'support']);
  editor = await createToken(t, 'an-editor', ['editor']);
});
after(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const url = '/api/reports/sales-only/comments/';
const call = (method: Method, path: string, authorization: string, payload?: object) =>
  t.app.server.inject({ method, url: path, headers: { authorization }, ...(payload ? { payload } : {}) });
const bodies = async (authorization: string) =>
  (await call('GET', url, authorization)).json().records.map((c: { body: string }) => c.body);

describe('comments', () => {
  let id: number;

  test('whoever runs the report writes and reads comments, stored as written', async () => {
    const text = 'Totals look <b>off</b> for March & April';
    const created = await call('POST', url, alice, { body: text });
    assert.equal(created.statusCode, 201, created.body);
    const comment = created.json().records[0];
    id = comment.id;
    assert.equal(comment.author, 'alice');
    assert.equal(comment.body, text, 'no escaping on the way in: that is the UI’s job');
    assert.equal(comment.edited, false);
    assert.deepEqual(await bodies(bob), [text]);
    assert.deepEqual(await bodies(editor), [text], 'editors read every report’s comments');
    assert.deepEqual(await bodies(t.adminHeader), [text]);
  });

  test('a token without the report group gets 403 on read and write', async () => {
    const read = await call('GET', url, outsider);
    assert.equal(read.statusCode, 403);
    assert.match(read.json().message, /no access/);
    assert.equal((await call('POST', url, outsider, { body: 'hello' })).statusCode, 403);
  });

  test('bodies are 1 to 5000 characters', async () => {
    assert.equal((await call('POST', url, bob, { body: '   ' })).statusCode, 400);
    assert.equal((await call('POST', url, bob, { body: 'x'.repeat(5001) })).statusCode, 400);
    assert.equal((await call('POST', url, bob, { body: 'x'.repeat(5000) })).statusCode, 201);
  });

  test('only the author edits, and the edit is audited', async () => {
    const foreign = await call('PUT', `${url}${id}/`, bob, { body: 'rewritten by bob' });
    assert.equal(foreign.statusCode, 403);
    assert.equal((await call('PUT', `${url}${id}/`, t.adminHeader, { body: 'by admin' })).statusCode, 403);
    const edited = await call('PUT', `${url}${id}/`, alice, { body: 'Totals fixed' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().records[0].body, 'Totals fixed');
    assert.equal(edited.json().records[0].edited, true);
    const audit = await t.app.store.db
      .selectFrom('audit')
      .selectAll()
      .where('action', '=', 'comment.update')
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.principal, 'alice');
    const details = JSON.parse(audit[0]?.params_json ?? '{}');
    assert.equal(details.comment, id);
    assert.equal(details.after, 'Totals fixed');
    assert.match(details.before, /Totals look/);
  });

  test('others cannot delete; the author can, and an admin can', async () => {
    assert.equal((await call('DELETE', `${url}${id}/`, bob)).statusCode, 403);
    assert.equal((await call('DELETE', `${url}${id}/`, alice)).statusCode, 200);
    assert.equal((await bodies(bob)).includes('Totals fixed'), false);
    assert.equal((await call('PUT', `${url}${id}/`, alice, { body: 'again' })).statusCode, 404);

    const bobs = (await call('POST', url, bob, { body: 'to be removed by an admin' })).json().records[0];
    assert.equal((await call('DELETE', `${url}${bobs.id}/`, t.adminHeader)).statusCode, 200);
    assert.equal((await bodies(alice)).includes('to be removed by an admin'), false);
    const deletes = await t.app.store.db
      .selectFrom('audit')
      .select('principal')
      .where('action', '=', 'comment.delete')
      .execute();
    assert.deepEqual(
      deletes.map((row) => row.principal),
      ['alice', 'demo-admin'],
    );
  });

  test('a comment belongs to its report', async () => {
    const other = await call('GET', '/api/reports/select-test/comments/', alice);
    assert.equal(other.statusCode, 200);
    assert.deepEqual(other.json().records, []);
    const mine = (await call('POST', url, alice, { body: 'on sales only' })).json().records[0];
    const crossed = await call('PUT', `/api/reports/select-test/comments/${mine.id}/`, alice, { body: 'x' });
    assert.equal(crossed.statusCode, 404);
  });
});
