/**
 * Slugs of names with accents or emoji (SPEC §3): the same name typed in NFC or NFD gives the
 * same slug, emoji leave no stray marks, every slug resolves in /api/call/<slug>/, and a report
 * saved under the earlier rule keeps its stored slug while its name stays the same.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t?.close());

const send = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.server.inject({ method, url, headers: { authorization: t.adminHeader }, payload });

const report = (name: string) => ({
  name,
  cluster: 'demo',
  groups: ['*'],
  sql: `select '${name.replaceAll("'", "''")}' as name`,
});

async function save(name: string): Promise<string> {
  const response = await send('POST', '/api/admin/reports/', report(name));
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0].slug;
}

async function callable(slug: string): Promise<unknown> {
  const response = await send('GET', `/api/call/${encodeURIComponent(slug)}/`);
  assert.equal(response.statusCode, 200, `${slug}: ${response.body}`);
  return response.json().records[0].name;
}

test('a name in NFC and in NFD gives one slug, which either spelling of the URL finds', async () => {
  const nfc = 'Café Sales'.normalize('NFC');
  const nfd = 'Café Sales'.normalize('NFD');
  assert.notEqual(nfc, nfd);
  assert.equal(await save(nfc), 'café-sales');
  const twin = await send('POST', '/api/admin/reports/', report(nfd));
  assert.equal(twin.statusCode, 409, twin.body);
  assert.match(twin.json().message, /slug "café-sales" .* already used/);
  assert.equal(await callable('café-sales'.normalize('NFC')), nfc);
  assert.equal(await callable('café-sales'.normalize('NFD')), nfc);
});

test('emoji leave no stray dash or selector, and the slug is callable', async () => {
  const cases: Array<[string, string]> = [
    ['📈 Revenue', 'revenue'],
    ['Pipeline 🚀🔥', 'pipeline'],
    ['Q1 ❤️ Review', 'q1-review'],
    ['Team 👩🏽‍💻 Stats 🇩🇪', 'team-stats'],
    // Other symbols are dropped where they stand, as before: only emoji take their space along.
    ['Ünïcode ✓ 数据', 'ünïcode--数据'],
  ];
  for (const [name, slug] of cases) {
    assert.equal(await save(name), slug, name);
    assert.equal(await callable(slug), name);
  }
});

test('a name of emoji only is refused with the slug it would give', async () => {
  const response = await send('POST', '/api/admin/reports/', report('📈🚀'));
  assert.equal(response.statusCode, 400, response.body);
  assert.match(response.json().message, /gives the slug ""/);
});

test('a report saved under the earlier rule keeps its slug when saved again under its name', async () => {
  const name = 'Crème Report'.normalize('NFD');
  await save(name);
  // The earlier rule dropped the combining accent of an NFD name: `creme-report`.
  await t.app.store.db.updateTable('report').set({ slug: 'creme-report' }).where('name', '=', name).execute();
  const saved = await send('PUT', '/api/admin/reports/creme-report/', report(name));
  assert.equal(saved.statusCode, 200, saved.body);
  assert.equal(saved.json().records[0].slug, 'creme-report');
  assert.equal(await callable('creme-report'), name);
});
