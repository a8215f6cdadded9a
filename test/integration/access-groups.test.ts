import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const tokens: Record<string, string> = {};

async function adminCall(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  return t.app.server.inject({ method, url, headers: { authorization: t.adminHeader }, payload });
}

async function addEntry(table: string, group: string, where: string): Promise<number> {
  const response = await adminCall('POST', '/api/admin/access-groups/', { table, group, where });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0].id;
}

async function saveReport(name: string, sql: string, fields: object[] = []) {
  const response = await adminCall('POST', '/api/admin/reports/', {
    name,
    cluster: 'demo',
    sql,
    groups: ['host_1', 'host_2', 'host_3', 'both'],
    fields,
  });
  assert.equal(response.statusCode, 201, response.body);
}

async function games(token: string | undefined, slug = 'games', query = '') {
  const response = await t.app.server.inject({
    url: `/api/call/${slug}/${query}`,
    headers: { authorization: token ?? '' },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().records[0] as { n: number; lo: number | null; hi: number | null };
}

before(async () => {
  t = await createTestApp();
  await addEntry('game', 'host_1', 'host_id=1');
  await addEntry('game', 'host_2', 'host_id=2');
  await saveReport(
    'games',
    'select count(*) as n, min(host_id) as lo, max(host_id) as hi from game where {{ access_group.game }}',
  );
  for (const [name, groups] of Object.entries({
    h1: ['host_1'],
    h21: ['host_2', 'host_1'],
    h2: ['host_2'],
    h3: ['host_3'],
    both: ['both'],
  })) {
    tokens[name] = await createToken(t, name, groups);
  }
});
after(() => t.close());

describe('access groups (row-level security)', () => {
  test('a token of host_1 sees the 300 games of host 1 only', async () => {
    assert.deepEqual(await games(tokens.h1), { n: 300, lo: 1, hi: 1 });
    assert.deepEqual(await games(tokens.h2), { n: 300, lo: 2, hi: 2 });
  });

  test('with several groups, the alphabetically first entry wins whatever the given order', async () => {
    assert.deepEqual(await games(tokens.h21), { n: 300, lo: 1, hi: 1 });
  });

  test('no entry for any group and no `*` entry: no rows', async () => {
    assert.deepEqual(await games(tokens.h3), { n: 0, lo: null, hi: null });
  });

  test('a table without any entries, or an unknown one, renders 1=0', async () => {
    await saveReport(
      'all-orders',
      'select count(*) as n, 0 as lo, 0 as hi from orders where {{ access_group.orders }}',
    );
    assert.equal((await games(tokens.h1, 'all-orders')).n, 0);
    await saveReport(
      'no-table',
      'select count(*) as n, 0 as lo, 0 as hi from game where {{ access_group["no.such"] }}',
    );
    assert.equal((await games(tokens.h1, 'no-table')).n, 0);
  });

  test('a `*` entry replaces the default for callers without a matching group', async () => {
    const id = await addEntry('game', '*', 'host_id=3');
    try {
      assert.deepEqual(await games(tokens.h3), { n: 300, lo: 3, hi: 3 });
      assert.deepEqual(await games(tokens.h1), { n: 300, lo: 1, hi: 1 }, 'an own group still wins');
    } finally {
      assert.equal((await adminCall('DELETE', `/api/admin/access-groups/${id}/`)).statusCode, 200);
    }
    assert.equal((await games(tokens.h3)).n, 0, 'deleting the entry takes effect at once');
  });

  test('a fragment with `or` stays in parentheses', async () => {
    await addEntry('game', 'both', 'host_id=1 or host_id=2');
    await saveReport(
      'games-of-2',
      'select count(*) as n, min(host_id) as lo, max(host_id) as hi from game where {{ access_group.game }} and host_id = 2',
    );
    // Unparenthesised, `host_id=1 or host_id=2 and host_id = 2` would also return host 1's games.
    assert.deepEqual(await games(tokens.both, 'games-of-2'), { n: 300, lo: 2, hi: 2 });
    assert.deepEqual(await games(tokens.both), { n: 600, lo: 1, hi: 2 });
  });

  test('a request parameter can never act as a fragment', async () => {
    await saveReport(
      'games-param',
      "select count(*) as n, min(host_id) as lo, max(host_id) as hi from game where {{ access_group.game }} {% if _extra %} and {{ _extra }} <> 'x' {% endif %}",
      [{ name: 'access_group' }, { name: '_extra' }],
    );
    const injected = `?access_group=${encodeURIComponent('1=1')}&_extra=${encodeURIComponent('1=1) or (1=1')}`;
    assert.deepEqual(await games(tokens.h1, 'games-param', injected), { n: 300, lo: 1, hi: 1 });
    assert.deepEqual(await games(tokens.h3, 'games-param', injected), { n: 0, lo: null, hi: null });
    const audit = await t.app.store.db
      .selectFrom('audit')
      .select('params_json')
      .where('action', '=', 'access_group.create')
      .execute();
    assert.ok(audit.length >= 3, 'entry changes are audited');
  });

  test('entries are listed; a duplicate (table, group) is a conflict; bad fragments are refused', async () => {
    const list = (await adminCall('GET', '/api/admin/access-groups/')).json().records;
    assert.deepEqual(
      list.map((e: { table: string; group: string; where: string }) => [e.table, e.group, e.where]),
      [
        ['game', 'both', 'host_id=1 or host_id=2'],
        ['game', 'host_1', 'host_id=1'],
        ['game', 'host_2', 'host_id=2'],
      ],
    );
    const duplicate = await adminCall('POST', '/api/admin/access-groups/', {
      table: 'game',
      group: 'host_1',
      where: 'host_id=2',
    });
    assert.equal(duplicate.statusCode, 409, duplicate.body);
    for (const where of [
      'host_id=1) or (1=1',
      'host_id=1 --',
      'host_id=1; drop table game',
      '(host_id=1',
      '',
    ]) {
      const refused = await adminCall('POST', '/api/admin/access-groups/', {
        table: 'game',
        group: 'x',
        where,
      });
      assert.equal(refused.statusCode, 400, `${where}: ${refused.body}`);
      assert.equal(refused.json().ok, false);
    }
    const literal = await adminCall('POST', '/api/admin/access-groups/', {
      table: 'game',
      group: 'paren-in-literal',
      where: "title <> ')'",
    });
    assert.equal(literal.statusCode, 201, 'a parenthesis inside a literal is fine');
    const badTable = await adminCall('POST', '/api/admin/access-groups/', {
      table: 'game; drop',
      group: 'x',
      where: '1=1',
    });
    assert.equal(badTable.statusCode, 400);
    assert.equal((await adminCall('DELETE', '/api/admin/access-groups/99999/')).statusCode, 404);
  });

  test('a non-admin token cannot read or change entries', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const response = await t.app.server.inject({
        method,
        url: '/api/admin/access-groups/',
        headers: { authorization: tokens.h1 ?? '' },
        payload: method === 'POST' ? { table: 'game', group: 'host_1', where: '1=1' } : undefined,
      });
      assert.equal(response.statusCode, 403);
    }
  });
});
