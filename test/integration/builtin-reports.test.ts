import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let plain: string;
let adminGroupToken: string;
before(async () => {
  t = await createTestApp({ CUSTOM_FEATURES: 'audit' });
  await createToken(t, 'one-week', ['*'], '1w');
  plain = await createToken(t, 'plain', ['*', 'sales']);
  adminGroupToken = await createToken(t, 'admin-group', ['admin']);
});
after(() => t.close());

const call = (url: string, authorization = t.adminHeader) =>
  t.app.server.inject({ url, headers: { authorization } });

describe('built-in admin reports', () => {
  test('/api/call/admin-tokens/ gives the token listing of the help text', async () => {
    const response = await call('/api/call/admin-tokens/');
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.ok, true);
    assert.equal(body.message, '');
    const record = body.records.find((r: { name: string }) => r.name === 'one-week');
    assert.deepEqual(Object.keys(record), [
      'active',
      'age_days',
      'created',
      'created_by',
      'expiry',
      'groups',
      'name',
    ]);
    assert.equal(record.active, 'Y');
    assert.equal(record.age_days, 0);
    assert.equal(record.groups, '*');
    assert.equal(record.created_by, 'demo-admin');
    assert.match(record.created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.match(record.expiry, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.equal(body.records.find((r: { name: string }) => r.name === 'plain').groups, '*,sales');
  });

  test('the same run as CSV and NDJSON', async () => {
    const csv = await call('/api/call/admin-tokens/csv/');
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const lines = csv.body.trim().split('\n');
    assert.equal(lines[0], 'active,age_days,created,created_by,expiry,groups,name');
    assert.ok(lines.some((line) => line.startsWith('Y,0,') && line.endsWith(',*,one-week')));
    const ndjson = await call('/api/call/admin-tokens/ndjson/');
    assert.equal(ndjson.statusCode, 200);
    const names = ndjson.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).name);
    assert.ok(names.includes('one-week'));
  });

  test('a token that holds the admin group may run it; others get 403', async () => {
    assert.equal((await call('/api/call/admin-tokens/', adminGroupToken)).statusCode, 200);
    for (const slug of ['admin-tokens', 'admin-audit']) {
      const refused = await call(`/api/call/${slug}/`, plain);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.deepEqual(refused.json().records, []);
      assert.equal((await call(`/report/get/${slug}`, plain)).statusCode, 403);
    }
  });

  test('/report/get/admin-tokens describes it', async () => {
    const response = await call('/report/get/admin-tokens');
    assert.equal(response.statusCode, 200, response.body);
    const [definition] = response.json().records;
    assert.equal(definition.slug, 'admin-tokens');
    assert.equal(definition.admin_only, true);
    assert.deepEqual(definition.fields, []);
  });

  test('admin-audit lists recent records and filters by principal and report', async () => {
    assert.equal((await call('/api/call/select-test/', plain)).statusCode, 200);
    const all = (await call('/api/call/admin-audit/')).json().records;
    assert.ok(all.some((r: { action: string }) => r.action === 'token.create'));
    const mine = await call('/api/call/admin-audit/?_principal=plain&_report=select-test&_days=1');
    assert.equal(mine.statusCode, 200, mine.body);
    const records = mine.json().records;
    assert.ok(records.length >= 1);
    for (const record of records) {
      assert.equal(record.principal, 'plain');
      assert.equal(record.report, 'select-test');
    }
    assert.equal((await call('/api/call/admin-audit/?_days=soon')).statusCode, 400);
  });

  test('admin-users lists users with their groups; 403 for others', async () => {
    const created = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/users/',
      headers: { authorization: t.adminHeader },
      payload: { email: 'Reader@Example.com' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const response = await call('/api/call/admin-users/');
    assert.equal(response.statusCode, 200, response.body);
    const user = response.json().records.find((r: { email: string }) => r.email === 'reader@example.com');
    assert.equal(user.groups, '*');
    assert.equal(user.is_admin, false);
    assert.equal((await call('/api/call/admin-users/', plain)).statusCode, 403);
  });

  test('a stored report cannot take a built-in slug', async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'Admin Tokens', cluster: 'demo', sql: 'select 1 as one' },
    });
    assert.equal(response.statusCode, 409, response.body);
    assert.match(response.json().message, /reserved for a built-in/);
  });
});
