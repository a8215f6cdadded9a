/**
 * The games example of row-level security for signed-in users: their groups come from group
 * lists, and `{{ access_group.game }}` is chosen exactly as for tokens.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const sessions: Record<string, Record<string, string>> = {};
const PASSWORD = 'correct horse battery staple';

async function admin(method: 'POST' | 'PUT', url: string, payload: object) {
  const response = await t.app.server.inject({
    method,
    url,
    headers: { authorization: t.adminHeader },
    payload,
  });
  assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
}

async function games(who: string) {
  const response = await t.app.server.inject({ url: '/api/call/user-games/', cookies: sessions[who] });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().records[0] as { n: number; lo: number | null; hi: number | null };
}

before(async () => {
  t = await createTestApp();
  await admin('POST', '/api/admin/access-groups/', { table: 'game', group: 'host_1', where: 'host_id=1' });
  await admin('POST', '/api/admin/access-groups/', { table: 'game', group: 'host_2', where: 'host_id=2' });
  await admin('POST', '/api/admin/reports/', {
    name: 'User games',
    cluster: 'demo',
    groups: ['*'],
    sql: 'select count(*) as n, min(host_id) as lo, max(host_id) as hi from game where {{ access_group.game }}',
  });
  const members = {
    host_1: ['one@example.com', 'both@example.com'],
    host_2: ['both@example.com'],
    host_3: ['three@example.com'],
  };
  for (const [name, emails] of Object.entries(members)) {
    await admin('POST', '/api/admin/group-lists/', { name });
    for (const email of emails) await admin('POST', `/api/admin/group-lists/${name}/members/`, { email });
  }
  for (const email of ['one@example.com', 'both@example.com', 'three@example.com', 'none@example.com']) {
    await admin('POST', '/api/admin/users/', { email, password: PASSWORD });
    const login = await t.app.server.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: PASSWORD },
    });
    const cookie = login.cookies.find((c) => c.name === 'sr_session');
    assert.ok(cookie, login.body);
    sessions[email.split('@')[0] ?? email] = { sr_session: cookie.value };
  }
});
after(() => t.close());

test('a user in host_1 sees the games of host 1 only', async () => {
  assert.deepEqual(await games('one'), { n: 300, lo: 1, hi: 1 });
});

test('a user in host_1 and host_2 gets the alphabetically first entry', async () => {
  assert.deepEqual(await games('both'), { n: 300, lo: 1, hi: 1 });
});

test('a user with no matching group, and no `*` entry, sees no rows', async () => {
  assert.deepEqual(await games('three'), { n: 0, lo: null, hi: null });
  assert.deepEqual(await games('none'), { n: 0, lo: null, hi: null });
});

test('a `*` entry replaces the default for users without a matching group', async () => {
  await admin('POST', '/api/admin/access-groups/', { table: 'game', group: '*', where: 'host_id=3' });
  assert.deepEqual(await games('three'), { n: 300, lo: 3, hi: 3 });
  assert.deepEqual(await games('one'), { n: 300, lo: 1, hi: 1 }, 'a matching group still wins');
});
