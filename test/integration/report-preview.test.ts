import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let editor: string;
let user: string;
before(async () => {
  t = await createTestApp();
  editor = await createToken(t, 'preview-editor', ['editor', '*']);
  user = await createToken(t, 'preview-user', ['*']);
});
after(() => t.close());

const preview = (authorization: string, payload: object) =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/preview/',
    headers: { authorization },
    payload,
  });

const draft = {
  name: 'Preview draft',
  cluster: 'demo',
  groups: ['*'],
  sql: 'select :_n * 2 as doubled, :_who as who',
  fields: [{ name: '_n', label: 'N', type: 'integer', default: 3 }],
};

describe('preview of an unsaved report', () => {
  test('an editor runs a draft with parameters; nothing is saved', async () => {
    const response = await preview(editor, { report: draft, params: { _n: '21', _who: 'me' } });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { message: '', ok: true, records: [{ doubled: 42, who: 'me' }] });
    const defaulted = await preview(editor, { report: draft });
    assert.deepEqual(defaulted.json().records, [{ doubled: 6, who: null }]);
    const saved = await t.app.server.inject({
      method: 'GET',
      url: '/api/call/preview-draft/',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(saved.statusCode, 404, 'the preview did not create the report');
  });

  test('panel drafts answer one record per section', async () => {
    const response = await preview(editor, {
      report: {
        name: 'Preview panel',
        type: 'panel',
        cluster: 'demo',
        sections: [
          { title: 'One', sql: 'select 1 as one' },
          { title: 'Two', sql: 'select 2 as two' },
        ],
      },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records, [
      { title: 'One', records: [{ one: 1 }] },
      { title: 'Two', records: [{ two: 2 }] },
    ]);
  });

  test('answers at most 1000 rows, saying so when it cut', async () => {
    const big = await preview(editor, {
      report: { ...draft, fields: [], sql: 'select id from customer' },
    });
    assert.equal(big.statusCode, 200, big.body);
    assert.equal(big.json().records.length, 1000);
    assert.match(big.json().message, /first 1000 rows/);
    const small = await preview(editor, {
      report: { ...draft, fields: [], sql: 'select id from customer limit 1000' },
    });
    assert.equal(small.json().records.length, 1000);
    assert.equal(small.json().message, '');
  });

  test('an ordinary token gets 403', async () => {
    const response = await preview(user, { report: draft });
    assert.equal(response.statusCode, 403, response.body);
    assert.equal(response.json().ok, false);
  });

  test('bad SQL is a 400 with the database message; a bad definition names the field', async () => {
    const response = await preview(editor, { report: { ...draft, sql: 'select nonsense from from' } });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /syntax error/);
    const invalid = await preview(editor, { report: { ...draft, sql: '  ' } });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.json().message, /sql/);
    const noCluster = await preview(editor, { report: { ...draft, cluster: 'nowhere' } });
    assert.equal(noCluster.statusCode, 400);
    assert.match(noCluster.json().message, /no cluster named "nowhere"/);
  });
});
