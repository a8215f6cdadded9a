import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

const call = (
  url: string,
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; payload?: string | object } = {},
) =>
  t.app.server.inject({
    method: options.method ?? 'GET',
    url,
    headers: { authorization: t.adminHeader, ...options.headers },
    payload: options.payload,
  });

describe('/api/call/<report>/', () => {
  test('a GET with a form body, as requests.get(..., data=...) sends, by slug and by id', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const bySlug = await call('/api/call/select-test/', { headers: form, payload: '_select_test_one=1' });
    assert.equal(bySlug.statusCode, 200);
    const body = bySlug.json();
    assert.deepEqual(Object.keys(body), ['message', 'ok', 'records']);
    assert.equal(body.message, '');
    assert.equal(body.ok, true);
    assert.equal(body.records.length, 1);
    assert.deepEqual(Object.keys(body.records[0]), ['id', 'name']);
    assert.equal(body.records[0].id, 1);
    const id = (await call('/report/get/select-test')).json().records[0].id;
    const byId = await call(`/api/call/${id}/`, { headers: form, payload: '_select_test_one=1' });
    assert.deepEqual(byId.json(), bySlug.json());
    const other = await call('/api/call/select-test/', { headers: form, payload: '_select_test_one=2' });
    assert.equal(other.json().records[0].id, 2);
  });

  test('parameters from the query string, a POST form and a JSON body agree', async () => {
    const query = await call('/api/call/customer-by-id/?_id=42');
    const form = await call('/api/call/customer-by-id/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_id=42',
    });
    const json = await call('/api/call/customer-by-id', { method: 'POST', payload: { _id: 42 } });
    assert.equal(query.statusCode, 200);
    assert.equal(query.json().records.length, 1);
    assert.equal(query.json().records[0].id, 42);
    assert.deepEqual(Object.keys(query.json().records[0]), ['id', 'name', 'email', 'credit_limit']);
    assert.deepEqual(form.json(), query.json());
    assert.deepEqual(json.json(), query.json());
  });

  test('a bad parameter is a 400 naming the field; a missing one takes its default', async () => {
    const bad = await call('/api/call/customer-by-id/?_id=forty-two');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().ok, false);
    assert.deepEqual(bad.json().records, []);
    assert.match(bad.json().message, /"_id" must be an integer/);
    const defaulted = await call('/api/call/customer-by-id/');
    assert.equal(defaulted.json().records[0].id, 42);
    const badDate = await call('/api/call/orders-by-status/?_from=2025-02-30');
    assert.equal(badDate.statusCode, 400);
    assert.match(badDate.json().message, /"_from"/);
  });

  test('select choices are checked and lists expand to one bind each', async () => {
    const outside = await call('/api/call/orders-by-status/?_status=lost');
    assert.equal(outside.statusCode, 400);
    assert.match(outside.json().message, /"_status".*not one of its choices/);
    const two = await call('/api/call/orders-by-status/?_status=pending&_status=shipped&_from=2022-01-01');
    assert.equal(two.statusCode, 200);
    const statuses = new Set(two.json().records.map((r: { status: string }) => r.status));
    assert.deepEqual([...statuses].sort(), ['pending', 'shipped']);
  });

  test('an unknown report is a 404 in the envelope', async () => {
    const response = await call('/api/call/no-such-report/');
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { message: 'No report "no-such-report"', ok: false, records: [] });
  });

  test('CSV and NDJSON by path suffix or Accept header, never by a parameter', async () => {
    const csv = await call('/api/call/customer-by-id/csv/?_id=42');
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const [head, row] = csv.body.trim().split('\n');
    assert.equal(head, 'id,name,email,credit_limit');
    assert.match(row ?? '', /^42,/);
    const ndjson = await call('/api/call/customer-by-id/?_id=42', {
      headers: { accept: 'application/x-ndjson' },
    });
    assert.equal(JSON.parse(ndjson.body.trim()).id, 42);
    const asParam = await call('/api/call/customer-by-id/?_id=42&_format=csv');
    assert.equal(asParam.json().ok, true);
  });

  test('a large result streams as valid JSON and CSV', async () => {
    const json = await call('/api/call/orders-by-status/?_from=2000-01-01&_to=2030-01-01');
    assert.equal(json.statusCode, 200);
    assert.equal(json.json().records.length, 6000);
    const csv = await call('/api/call/orders-by-status/csv/?_from=2000-01-01&_to=2030-01-01');
    assert.equal(csv.body.trim().split('\n').length, 6001);
  });

  test('panel, template, consolidate and distribute reports run', async () => {
    const panel = await call('/api/call/sales-overview/');
    assert.deepEqual(
      panel.json().records.map((s: { title: string }) => s.title),
      ['Orders per status', 'Top products'],
    );
    assert.equal(panel.json().records[1].records.length, 10);
    const consolidated = await call('/api/call/games-on-every-connection/');
    assert.equal(consolidated.json().records.length, 6, 'three hosts from each of two connections');
    const distributed = await call('/api/call/games-per-connection/?_host=2');
    const records = distributed.json().records as { connection: string }[];
    assert.equal(records.length, 10);
    assert.deepEqual([...new Set(records.map((r) => r.connection))], ['demo', 'demo-replica']);
    assert.deepEqual(Object.keys(records[0] ?? {}), ['connection', 'title', 'played_on', 'score']);
    const page = await call('/template/customer-card/?template_only=Y&_id=7');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /^<article><h2>[^<]+<\/h2>/);
    assert.match(page.headers['content-security-policy'] as string, /sandbox/);
  });

  test('server time and report definitions', async () => {
    const time = await call('/api/server_time/');
    assert.match(time.json().records[0].server_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    const iso = await call('/api/server_iso_time/');
    assert.ok(Math.abs(Date.parse(iso.json().records[0].server_iso_time) - Date.now()) < 60_000);
    const definition = (await call('/report/get/orders-by-status')).json().records[0];
    assert.deepEqual(
      definition.fields.map((f: { name: string }) => f.name),
      ['_from', '_to', '_status'],
    );
    assert.match(definition.sql, /from orders/);
    const choices = await call(`/api/choices/${definition.fields[2].id}/`);
    assert.deepEqual(
      choices.json().records.map((c: { value: string }) => c.value),
      ['cancelled', 'delivered', 'pending', 'returned', 'shipped'],
    );
    assert.equal(choices.json().records[0].label, 'Cancelled');
  });
});

test('CSV writes booleans as words, JSON as JSON and NULL as an empty cell', async () => {
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader },
    payload: {
      name: 'Csv shapes',
      cluster: 'demo',
      groups: ['*'],
      sql: `select active, json_object('a', 1) as doc, null as empty, 'x,"y"' as quoted from customer where id = 1`,
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const csv = await call('/api/call/csv-shapes/csv/');
  const lines = csv.body.trim().split('\n');
  assert.equal(lines[0], 'active,doc,empty,quoted');
  assert.match(lines[1] ?? '', /^(true|false),"{""a"":1}",,"x,""y"""$/);
});
