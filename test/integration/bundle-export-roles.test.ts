/**
 * The bundle export filters by who asks: an editor gets the reports only — no group lists (member
 * emails), access-group fragments, connections or clusters, which the same editor gets 403 for
 * everywhere else — and an admin gets everything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;

async function exportAs(authorization: string, format = 'json') {
  return t.app.server.inject({
    url: `/api/admin/bundle/export/?format=${format}`,
    headers: { authorization },
  });
}

before(async () => {
  t = await createTestApp();
  const admin = { authorization: t.adminHeader };
  const post = async (url: string, payload: object) => {
    const response = await t.app.server.inject({ method: 'POST', url, headers: admin, payload });
    assert.ok(response.statusCode < 300, response.body);
  };
  await post('/api/admin/group-lists/', { name: 'finance', description: 'Finance' });
  await post('/api/admin/group-lists/finance/members/', { email: 'secret.member@example.com' });
  await post('/api/admin/access-groups/', { table: 'region', group: 'finance', where: 'id = 4242' });
});
after(() => t?.close());

test('an editor exports the reports only', async () => {
  const editor = await createToken(t, 'export-editor', ['editor']);
  for (const format of ['json', 'yaml']) {
    const response = await exportAs(editor, format);
    assert.equal(response.statusCode, 200);
    assert.ok(!response.body.includes('secret.member@example.com'), `${format}: member email leaked`);
    assert.ok(!response.body.includes('id = 4242'), `${format}: access-group fragment leaked`);
  }
  const bundle = (await exportAs(editor)).json();
  assert.deepEqual(Object.keys(bundle), ['reports']);
  assert.ok(bundle.reports.length > 0);
});

test('an admin exports everything', async () => {
  const bundle = (await exportAs(t.adminHeader)).json();
  assert.deepEqual(Object.keys(bundle), [
    'connections',
    'clusters',
    'reports',
    'group_lists',
    'access_groups',
  ]);
  assert.ok(bundle.connections.length > 0 && bundle.clusters.length > 0);
  const finance = bundle.group_lists.find((g: { name: string }) => g.name === 'finance');
  assert.deepEqual(finance.members, ['secret.member@example.com']);
  assert.ok(bundle.access_groups.some((a: { where: string }) => a.where === 'id = 4242'));
});

test('a token without the editor role gets 403', async () => {
  const plain = await createToken(t, 'export-plain', ['*']);
  assert.equal((await exportAs(plain)).statusCode, 403);
});
