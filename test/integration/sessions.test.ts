import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp({ CUSTOM_ADMIN_USERS: 'boss@example.com' });
});
after(() => t.close());

const PASSWORD = 'correct horse battery';

async function createUser(email: string, password = PASSWORD) {
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/users/',
    headers: { authorization: t.adminHeader },
    payload: { email, password },
  });
  assert.equal(response.statusCode, 201, response.body);
}

async function login(email: string, password = PASSWORD, remoteAddress = '127.0.0.1') {
  return t.app.server.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password },
    remoteAddress,
  });
}

/** Signs in and returns the cookie header to send and the CSRF token. */
async function signIn(email: string) {
  const response = await login(email);
  assert.equal(response.statusCode, 200, response.body);
  const cookie = response.cookies.find((c) => c.name === 'sr_session');
  assert.ok(cookie);
  return { cookie: `sr_session=${cookie.value}`, csrf: response.json().records[0].csrf_token as string };
}

describe('browser sessions', () => {
  test('a local sign-in sets an HttpOnly, SameSite cookie and the session runs reports', async () => {
    await createUser('Alice@Example.com');
    const response = await login('alice@example.com');
    assert.equal(response.statusCode, 200, response.body);
    const setCookie = String(response.headers['set-cookie']);
    assert.match(setCookie, /^sr_session=[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http is not Secure');
    const record = response.json().records[0];
    assert.equal(record.email, 'alice@example.com');
    assert.deepEqual(record.groups, ['*']);
    assert.equal(record.is_admin, false);
    assert.equal(record.is_editor, false);
    assert.match(record.csrf_token, /^[A-Za-z0-9_-]{43}$/);

    const cookie = response.cookies.find((c) => c.name === 'sr_session');
    const run = await t.app.server.inject({
      url: '/api/call/select-test/',
      headers: { cookie: `sr_session=${cookie?.value}` },
    });
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().ok, true);
  });

  test('the store keeps only a hash of the cookie value', async () => {
    const { cookie } = await signIn('alice@example.com');
    const value = cookie.split('=')[1] ?? 'x';
    const rows = await t.app.store.db.selectFrom('session').selectAll().execute();
    assert.ok(rows.length > 0);
    assert.ok(!JSON.stringify(rows).includes(value));
  });

  test('behind https the cookie is Secure', async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'alice@example.com', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // TRUST_PROXY is off in this app, so a forwarded header must not make the cookie Secure...
    assert.doesNotMatch(String(response.headers['set-cookie']), /Secure/);
    const proxied = await createTestApp({ TRUST_PROXY: 'true' });
    try {
      await proxied.app.server.inject({
        method: 'POST',
        url: '/api/admin/users/',
        headers: { authorization: proxied.adminHeader },
        payload: { email: 'p@example.com', password: PASSWORD },
      });
      const behindProxy = await proxied.app.server.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: 'p@example.com', password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      // ...while behind a trusted proxy it does.
      assert.match(String(behindProxy.headers['set-cookie']), /; Secure/);
    } finally {
      await proxied.close();
    }
  });

  test('unsafe methods with the cookie need the CSRF token', async () => {
    const { cookie, csrf } = await signIn('alice@example.com');
    const post = (headers: Record<string, string>) =>
      t.app.server.inject({ method: 'POST', url: '/api/call/select-test/', headers: { cookie, ...headers } });
    const missing = await post({});
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().message, 'Missing or wrong CSRF token');
    // Change the last character (to one it is not), so the token is always wrong.
    const wrong = await post({ 'x-csrf-token': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` });
    assert.equal(wrong.statusCode, 403);
    const right = await post({ 'x-csrf-token': csrf });
    assert.equal(right.statusCode, 200, right.body);
    // Tokens need no CSRF token.
    const token = await t.app.server.inject({
      method: 'POST',
      url: '/api/call/select-test/',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(token.statusCode, 200);
  });

  test('/api/me shows the principal, with the CSRF token for sessions only', async () => {
    const { cookie, csrf } = await signIn('alice@example.com');
    const me = await t.app.server.inject({ url: '/api/me', headers: { cookie } });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json().records[0], {
      kind: 'user',
      name: 'alice@example.com',
      email: 'alice@example.com',
      groups: ['*'],
      is_admin: false,
      is_editor: false,
      csrf_token: csrf,
    });
    const asToken = await t.app.server.inject({ url: '/api/me', headers: { authorization: t.adminHeader } });
    assert.equal(asToken.json().records[0].kind, 'token');
    assert.equal(asToken.json().records[0].csrf_token, undefined);
  });

  test('sign-out needs the CSRF token and ends the session', async () => {
    const { cookie, csrf } = await signIn('alice@example.com');
    const refused = await t.app.server.inject({ method: 'POST', url: '/auth/logout', headers: { cookie } });
    assert.equal(refused.statusCode, 403);
    const out = await t.app.server.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(out.statusCode, 200, out.body);
    assert.match(String(out.headers['set-cookie']), /sr_session=;/);
    const after = await t.app.server.inject({ url: '/api/call/select-test/', headers: { cookie } });
    assert.equal(after.statusCode, 401);
    assert.match(after.json().message, /signed out/);
  });

  test('an expired session is 401', async () => {
    const { cookie } = await signIn('alice@example.com');
    await t.app.store.db.updateTable('session').set({ expires_at: '2020-01-01T00:00:00.000Z' }).execute();
    const response = await t.app.server.inject({ url: '/api/me', headers: { cookie } });
    assert.equal(response.statusCode, 401);
    assert.match(response.json().message, /expired/);
    assert.equal(response.headers['www-authenticate'], undefined, 'no Basic dialog in the browser');
  });

  test('no credentials at all stay 401', async () => {
    const response = await t.app.server.inject({ url: '/api/me' });
    assert.equal(response.statusCode, 401);
  });

  test('a wrong password and an unknown email are 401 with the same message', async () => {
    const wrong = await login('alice@example.com', 'not the password');
    const unknown = await login('nobody@example.com', 'not the password');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.json().message, unknown.json().message);
    assert.equal(wrong.headers['set-cookie'], undefined);
    assert.equal(wrong.headers['www-authenticate'], undefined);
  });

  test('repeated failures for one email are 429, even from other addresses', async () => {
    await createUser('bob@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await login('bob@example.com', 'guess', `10.0.0.${i}`)).statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const blocked = await login('bob@example.com', PASSWORD, '10.0.1.1');
    assert.equal(blocked.statusCode, 429);
    assert.match(blocked.json().message, /Too many failed sign-in attempts/);
  });

  test('repeated failures from one address are 429 for every email', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await login(`x${i}@example.com`, 'guess', '10.7.7.7')).statusCode);
    assert.equal(statuses[19], 401);
    assert.equal(statuses[20], 429);
    assert.equal((await login('alice@example.com', PASSWORD, '10.7.7.7')).statusCode, 429);
    assert.equal((await login('alice@example.com', PASSWORD, '10.7.7.8')).statusCode, 200);
  });

  test('sessions live in the metadata store: a second instance accepts the cookie', async () => {
    const { cookie } = await signIn('alice@example.com');
    const second = await buildApp(t.app.config);
    try {
      const me = await second.server.inject({ url: '/api/me', headers: { cookie } });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().records[0].email, 'alice@example.com');
    } finally {
      await second.close();
    }
  });
});

describe('admin user API', () => {
  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.server.inject({
      method,
      url,
      headers: { authorization: t.adminHeader },
      ...(payload ? { payload } : {}),
    });

  test('CUSTOM_ADMIN_USERS makes a signed-in user admin', async () => {
    await createUser('boss@example.com');
    const { cookie } = await signIn('boss@example.com');
    const list = await t.app.server.inject({ url: '/api/admin/users/', headers: { cookie } });
    assert.equal(list.statusCode, 200, list.body);
    const boss = list.json().records.find((r: { email: string }) => r.email === 'boss@example.com');
    assert.equal(boss.is_admin, true);
    assert.equal(boss.sign_in, 'password');
    assert.ok(boss.active_sessions >= 1);
    assert.match(boss.last_login, /^\d{4}-\d{2}-\d{2} /);
  });

  test('ordinary users cannot use the admin API', async () => {
    const { cookie } = await signIn('alice@example.com');
    const list = await t.app.server.inject({ url: '/api/admin/users/', headers: { cookie } });
    assert.equal(list.statusCode, 403);
  });

  test('duplicates conflict, short passwords are refused', async () => {
    assert.equal((await admin('POST', '/api/admin/users/', { email: 'alice@example.com' })).statusCode, 409);
    const short = await admin('POST', '/api/admin/users/', { email: 'short@example.com', password: 'abc' });
    assert.equal(short.statusCode, 400);
    assert.match(short.json().message, /password/);
  });

  test('refresh groups and delete are audited; a deleted user is signed out', async () => {
    await createUser('carol@example.com');
    const { cookie } = await signIn('carol@example.com');
    const refreshed = await admin('POST', '/api/admin/users/carol@example.com/refresh-groups/');
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.deepEqual(refreshed.json().records[0].groups, ['*']);
    assert.equal((await admin('DELETE', '/api/admin/users/carol@example.com/')).statusCode, 200);
    assert.equal((await admin('DELETE', '/api/admin/users/carol@example.com/')).statusCode, 404);
    assert.equal((await t.app.server.inject({ url: '/api/me', headers: { cookie } })).statusCode, 401);
    const actions = await t.app.store.db
      .selectFrom('audit')
      .select(['action', 'principal'])
      .where('action', 'like', 'user.%')
      .execute();
    const seen = new Set(actions.map((a) => a.action));
    for (const action of ['user.create', 'user.login', 'user.refresh_groups', 'user.delete']) {
      assert.ok(seen.has(action), `${action} audited`);
    }
    assert.ok(actions.some((a) => a.action === 'user.login' && a.principal === 'carol@example.com'));
  });
});

const pgReachable = await postgresReachable();
describe('users and sessions on a PostgreSQL metadata store', {
  skip: !pgReachable && 'server not reachable',
}, () => {
  test('sign-in, activity list, a second instance, and delete cascade', async () => {
    const database = await createPostgresDatabase('sr_sessions');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-sessions-pg-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      DEMO: 'false',
    });
    const first = await buildApp(config);
    const second = await buildApp(config);
    try {
      const ctx = internalContext(config.adminGroup);
      await first.services.users.create(ctx, { email: 'Pat@Example.com', password: PASSWORD });
      const login = await first.server.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: 'pat@example.com', password: PASSWORD },
      });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = `sr_session=${login.cookies.find((c) => c.name === 'sr_session')?.value}`;
      const me = await second.server.inject({ url: '/api/me', headers: { cookie } });
      assert.equal(me.json().records[0].email, 'pat@example.com');
      const [pat] = await second.services.users.list(ctx);
      assert.equal(pat?.active_sessions, 1);
      assert.equal(pat?.sign_in, 'password');
      await second.services.users.delete(ctx, 'pat@example.com');
      assert.deepEqual(await first.store.db.selectFrom('session').selectAll().execute(), []);
      assert.equal((await first.server.inject({ url: '/api/me', headers: { cookie } })).statusCode, 401);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
