import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cli as runCli } from '../helpers/cli.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp({ CUSTOM_FEATURES: 'audit' });
});
after(() => t.close());

test('with CUSTOM_FEATURES=audit every run is recorded with its SQL, parameters and outcome', async () => {
  await t.app.server.inject({
    url: '/api/call/customer-by-id/?_id=42',
    headers: { authorization: t.adminHeader },
  });
  await t.app.server.inject({
    url: '/api/call/customer-by-id/?_id=x',
    headers: { authorization: t.adminHeader },
  });
  const rows = await t.app.store.db
    .selectFrom('audit')
    .selectAll()
    .where('action', '=', 'report.run')
    .orderBy('id')
    .execute();
  assert.equal(rows.length, 2);
  const [ok, failed] = rows;
  assert.equal(ok?.principal, 'demo-admin');
  assert.equal(ok?.report, 'customer-by-id');
  assert.equal(ok?.connections, 'demo');
  assert.match(ok?.sql_text ?? '', /from customer where id = :_id/);
  assert.deepEqual(JSON.parse(ok?.params_json ?? '{}'), { _id: 42 });
  assert.equal(ok?.row_count, 1);
  assert.equal(ok?.outcome, 'ok');
  assert.equal(ok?.client, '127.0.0.1');
  assert.equal(failed?.outcome, 'error');
  assert.match(failed?.error ?? '', /"_id" must be an integer/);
});

test('integers beyond 2^53 bind exactly and are audited as digits', async () => {
  const response = await t.app.server.inject({
    url: '/api/call/customer-by-id/?_id=9007199254740993',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json().records, []);
  const last = await t.app.store.db
    .selectFrom('audit')
    .selectAll()
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.equal(last.params_json, '{"_id":"9007199254740993"}');
});

test('responses carry security headers and a content security policy', async () => {
  const response = await t.app.server.inject({
    url: '/api/server_time/',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
  assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.ok(response.headers['strict-transport-security']);
});

test('internal errors never show stack traces or paths', async () => {
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader, 'content-type': 'application/json' },
    payload: '{"name": ',
  });
  assert.equal(response.statusCode, 400);
  assert.equal(response.json().ok, false);
  assert.ok(!/\/work\/|node_modules|at .*\(/.test(response.body), response.body);
});

test('the token CLI creates a working token, lists it and deletes it', async () => {
  // Output of a command that must succeed.
  const cli = async (...args: string[]) => {
    const result = await runCli(args, { DATA_DIR: t.dataDir });
    assert.equal(result.code, 0, result.err);
    return result.out;
  };
  const created = JSON.parse(
    await cli('token', 'create', '--name', 'from-cli', '--expiry', '1m', '--groups', '*,reports'),
  );
  assert.equal(created.name, 'from-cli');
  assert.deepEqual(created.groups, ['*', 'reports']);
  const run = () =>
    t.app.server.inject({ url: '/api/call/select-test/', headers: { authorization: created.header } });
  assert.equal((await run()).statusCode, 200);
  const listed = JSON.parse(await cli('token', 'list')).records.find(
    (r: { name: string }) => r.name === 'from-cli',
  );
  assert.equal(listed.groups, '*,reports');
  assert.equal(listed.created_by, 'api.user');
  await cli('token', 'delete', '--name', 'from-cli');
  assert.equal((await run()).statusCode, 401);
  const reserved = await runCli(
    ['token', 'create', '--name', 'api.user', '--expiry', '1d', '--groups', '*'],
    {
      DATA_DIR: t.dataDir,
    },
  );
  assert.equal(reserved.code, 2);
  assert.match(reserved.err, /reserved/);
  assert.match(await cli('migrate'), /up to date/);
});
