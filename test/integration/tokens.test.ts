import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

const run = (authorization?: string, url = '/api/call/customer-by-id/?_id=1', remoteAddress = '127.0.0.1') =>
  t.app.server.inject({ method: 'GET', url, headers: authorization ? { authorization } : {}, remoteAddress });

const basic = (name: string, secret: string) =>
  `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;

function assertRefused(response: Awaited<ReturnType<typeof run>>, status: number, message: RegExp) {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.ok, false);
  assert.deepEqual(body.records, []);
  assert.match(body.message, message);
}

describe('tokens', () => {
  test('creation shows the header once and the store keeps only a hash', async () => {
    const header = await createToken(t, 'one-week', ['*'], '1w');
    const [name, secret] = Buffer.from(header.replace('Basic ', ''), 'base64').toString().split(':');
    assert.equal(name, 'one-week');
    assert.match(secret ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const row = await t.app.store.db
      .selectFrom('token')
      .selectAll()
      .where('name', '=', 'one-week')
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(secret ?? 'x'), 'the secret is not stored');
    assert.equal((await run(header)).statusCode, 200);
  });

  test('listing has the records of the help text', async () => {
    const response = await t.app.server.inject({
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
    });
    const record = response.json().records.find((r: { name: string }) => r.name === 'one-week');
    assert.deepEqual(Object.keys(record).sort(), [
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
    const days =
      (Date.parse(`${record.expiry.replace(' ', 'T')}Z`) -
        Date.parse(`${record.created.replace(' ', 'T')}Z`)) /
      86_400_000;
    assert.equal(Math.round(days), 7);
  });

  test('tokens cannot be altered: a second create of the name is a conflict', async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'one-week', groups: ['*'], expiry: '1d' },
    });
    assertRefused(response, 409, /already exists/);
  });

  test('no credentials: 401 with WWW-Authenticate: Basic', async () => {
    const response = await run(undefined);
    assertRefused(response, 401, /Authorization header/);
    assert.match(response.headers['www-authenticate'] as string, /^Basic/);
  });

  test('a wrong secret and an unknown name are 401', async () => {
    assertRefused(await run(basic('one-week', '00000000-0000-4000-8000-000000000000')), 401, /not valid/);
    assertRefused(await run(basic('nobody', '00000000-0000-4000-8000-000000000000')), 401, /not valid/);
  });

  test('an expired token is 401 and listed as inactive', async () => {
    const header = await createToken(t, 'short-lived', ['*']);
    await t.app.store.db
      .updateTable('token')
      .set({ expires_at: '2020-01-01T00:00:00.000Z' })
      .where('name', '=', 'short-lived')
      .execute();
    assertRefused(await run(header), 401, /expired/);
    const list = await t.app.server.inject({
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(list.json().records.find((r: { name: string }) => r.name === 'short-lived').active, 'N');
  });

  test('a deleted token is refused at once', async () => {
    const header = await createToken(t, 'to-delete', ['*']);
    assert.equal((await run(header)).statusCode, 200);
    const deleted = await t.app.server.inject({
      method: 'DELETE',
      url: '/api/admin/tokens/to-delete/',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(deleted.statusCode, 200);
    assertRefused(await run(header), 401, /not valid/);
  });

  test('a token without the report group is 403; with it, 200', async () => {
    await t.app.server.inject({
      method: 'PUT',
      url: '/api/admin/reports/customer-by-id/',
      headers: { authorization: t.adminHeader },
      payload: { cluster: 'demo', sql: 'select id, name from customer where id = :_id', groups: ['sales'] },
    });
    const outsider = await createToken(t, 'outsider', ['*', 'support']);
    const insider = await createToken(t, 'insider', ['sales']);
    assertRefused(await run(outsider), 403, /no access/);
    assert.equal((await run(insider)).statusCode, 200);
  });

  test('a non-admin token cannot use the admin API', async () => {
    const plain = await createToken(t, 'plain', ['*']);
    const response = await t.app.server.inject({
      url: '/api/admin/tokens/',
      headers: { authorization: plain },
    });
    assertRefused(response, 403, /admin/);
  });

  test('api.user can neither be created nor authenticate', async () => {
    const created = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'api.user', groups: ['*'], expiry: '1d' },
    });
    assertRefused(created, 400, /reserved/);
    assertRefused(await run(basic('api.user', 'anything')), 401, /not valid/);
  });

  test('credentials in the URL are refused', async () => {
    const header = await createToken(t, 'in-url', ['*']);
    const secret = Buffer.from(header.replace('Basic ', ''), 'base64').toString();
    assertRefused(
      await run(undefined, `/api/call/customer-by-id/?token=${encodeURIComponent(secret)}`),
      400,
      /not accepted in the URL/,
    );
    assertRefused(await run(header, `/api/call/customer-by-id/?api_key=x`), 400, /not accepted in the URL/);
  });

  test('repeated failures from one address are rate limited, others are not', async () => {
    const wrong = basic('not-a-token', 'wrong');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await run(wrong, undefined, '10.9.9.9')).statusCode);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[11], 429);
    const header = await createToken(t, 'elsewhere', ['*']);
    assert.equal((await run(header, '/api/call/select-test/', '127.0.0.2')).statusCode, 200);
  });
});
