/**
 * Every path × every kind of principal, with the exact outcome of each cell (SPEC §11: group checks
 * on every path). Users sign in through the real session flow; tokens come from the admin API.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
type Credentials = { headers?: Record<string, string>; cookies?: Record<string, string> };
const principals: Record<string, Credentials> = {};
let fieldId = 0;

const admin = () => ({ authorization: t.adminHeader });

async function post(url: string, payload: unknown) {
  const response = await t.app.server.inject({
    method: 'POST',
    url,
    headers: admin(),
    payload: payload as object,
  });
  assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
  return response;
}

async function signIn(email: string): Promise<Credentials> {
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse battery staple' },
  });
  assert.equal(response.statusCode, 200, response.body);
  const cookie = response.cookies.find((c) => c.name === 'sr_session');
  assert.ok(cookie);
  return { cookies: { sr_session: cookie.value } };
}

before(async () => {
  t = await createTestApp({ CUSTOM_ADMIN_USERS: 'boss@example.com' });
  for (const email of [
    'boss@example.com',
    'editor@example.com',
    'member@example.com',
    'outsider@example.com',
  ]) {
    await post('/api/admin/users/', { email, password: 'correct horse battery staple' });
  }
  await post('/api/admin/group-lists/', { name: 'editor', description: 'Editors' });
  await post('/api/admin/group-lists/editor/members/', { email: 'editor@example.com' });
  await post('/api/admin/group-lists/', { name: 'sales', description: 'Sales' });
  await post('/api/admin/group-lists/sales/members/', { email: 'member@example.com' });
  await post('/api/admin/reports/', {
    name: 'Matrix report',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'select id, name from region where id = :_region',
    fields: [{ name: '_region', type: 'select', choices_sql: 'select id, name from region', default: 1 }],
  });
  await post('/api/admin/reports/', {
    name: 'Matrix template',
    type: 'template',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'select name from region where id = 1',
    output: { html_template: '<p>{{ records[0].name }}</p>' },
  });
  const definition = await t.app.server.inject({ url: '/report/get/matrix-report', headers: admin() });
  fieldId = definition.json().records[0].fields[0].id;
  principals.admin = await signIn('boss@example.com');
  principals.editor = await signIn('editor@example.com');
  principals['user in group'] = await signIn('member@example.com');
  principals['user outside'] = await signIn('outsider@example.com');
  principals['token with group'] = {
    headers: { authorization: await createToken(t, 'with-sales', ['sales']) },
  };
  principals['token without group'] = {
    headers: { authorization: await createToken(t, 'without-sales', ['*']) },
  };
  const expired = await createToken(t, 'expired', ['sales']);
  await t.app.store.db
    .updateTable('token')
    .set({ expires_at: '2020-01-01T00:00:00.000Z' })
    .where('name', '=', 'expired')
    .execute();
  principals['expired token'] = { headers: { authorization: expired } };
  principals['signed out'] = {};
});
after(() => t.close());

const paths = {
  'admin API': () => '/api/admin/tokens/',
  '/api/call': () => '/api/call/matrix-report/',
  'CSV export': () => '/api/call/matrix-report/csv/',
  '/api/choices': () => `/api/choices/${fieldId}/`,
  '/report/get': () => '/report/get/matrix-report',
  '/template': () => '/template/matrix-template/?template_only=Y',
};

// Rows: principal; columns in the order of `paths`. Editors outside the report's groups may read
// its definition (they may change it) but not run it.
const expected: Record<string, number[]> = {
  admin: [200, 200, 200, 200, 200, 200],
  editor: [403, 403, 403, 403, 200, 403],
  'user in group': [403, 200, 200, 200, 200, 200],
  'user outside': [403, 403, 403, 403, 403, 403],
  'token with group': [403, 200, 200, 200, 200, 200],
  'token without group': [403, 403, 403, 403, 403, 403],
  'expired token': [401, 401, 401, 401, 401, 401],
  'signed out': [401, 401, 401, 401, 401, 401],
};

test('every path gives every principal exactly the expected status', async () => {
  const actual: Record<string, number[]> = {};
  for (const [who, credentials] of Object.entries(principals)) {
    actual[who] = [];
    for (const url of Object.values(paths)) {
      const response = await t.app.server.inject({ url: url(), ...credentials });
      actual[who].push(response.statusCode);
      if (response.statusCode >= 400) {
        const body = response.json();
        assert.equal(body.ok, false, `${who} ${url()}`);
        assert.deepEqual(body.records, []);
      }
    }
  }
  assert.deepEqual(actual, expected);
});

test('allowed cells return the data, not just a status', async () => {
  const member = principals['user in group']!;
  const call = await t.app.server.inject({ url: '/api/call/matrix-report/?_region=2', ...member });
  assert.equal(call.json().records[0].id, 2);
  const choices = await t.app.server.inject({ url: `/api/choices/${fieldId}/`, ...member });
  assert.equal(choices.json().records.length, 9);
  const definition = await t.app.server.inject({ url: '/report/get/matrix-report', ...member });
  assert.equal(definition.json().records[0].sql, undefined, 'SQL is for editors and admins only');
  const page = await t.app.server.inject({ url: '/template/matrix-template/?template_only=Y', ...member });
  assert.match(page.body, /^<p>[^<]+<\/p>$/);
});
