/**
 * API-target headers (they usually carry credentials) are sealed at rest with the server key,
 * never returned by the API (names with `has_value: true` only), kept when a schedule is edited
 * without resending them — for the same target origin only — and still sent to a real receiver.
 * Schedules saved with plaintext headers keep delivering and are sealed at start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const BEARER = 'Bearer sk-live-4f6a1c0e9b2d';
const API_KEY = 'key-93b1d7e2a5c8';

let t: TestApp;
let receiver: WebhookReceiver;
let elsewhere: WebhookReceiver;

before(async () => {
  t = await createTestApp({ ALLOW_PRIVATE_TARGETS: 'true' });
  receiver = await startReceiver();
  elsewhere = await startReceiver();
});
after(async () => {
  await receiver.close();
  await elsewhere.close();
  await t.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.server.inject({ method, url, headers: { authorization: t.adminHeader }, payload });

async function storedJson(id: number) {
  const row = await t.app.store.db
    .selectFrom('schedule')
    .select('deliveries_json')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.deliveries_json;
}

async function createWithHeaders(): Promise<number> {
  const response = await call('POST', '/api/schedules/', {
    report: 'customer-by-id',
    cron: 'daily',
    params: { _id: 1 },
    deliveries: { api: { url: receiver.url, headers: { Authorization: BEARER, 'X-Api-Key': API_KEY } } },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0].id;
}

/** Runs the schedule now and returns the request the receiver got. */
async function deliveredHeaders(id: number, to = receiver) {
  to.received.length = 0;
  const run = await call('POST', `/api/schedules/${id}/run-now/`);
  assert.equal(run.statusCode, 200, run.body);
  assert.equal(run.json().records[0].outcome, 'ok', run.body);
  assert.equal(to.received.length, 1);
  return to.received[0]?.headers ?? {};
}

function assertNoValues(body: string) {
  assert.ok(!body.includes(BEARER) && !body.includes('sk-live'), 'the Authorization value is not shown');
  assert.ok(!body.includes(API_KEY), 'the X-Api-Key value is not shown');
}

describe('API-target headers', () => {
  test('are sealed in the store, never returned, and still sent to the receiver', async () => {
    const id = await createWithHeaders();
    assertNoValues(await storedJson(id));
    assert.match(await storedJson(id), /"headers_sealed":"v1:/);
    const got = await call('GET', `/api/schedules/${id}/`);
    assert.deepEqual(got.json().records[0].deliveries.api.headers, [
      { name: 'Authorization', has_value: true },
      { name: 'X-Api-Key', has_value: true },
    ]);
    assertNoValues(got.body);
    assertNoValues((await call('GET', '/api/schedules/')).body);
    const sent = await deliveredHeaders(id);
    assert.equal(sent.authorization, BEARER);
    assert.equal(sent['x-api-key'], API_KEY);
  });

  test('an edit without headers keeps them; given headers replace them; {} removes them', async () => {
    const id = await createWithHeaders();
    const cronOnly = await call('PUT', `/api/schedules/${id}/`, { cron: 'hourly' });
    assert.equal(cronOnly.statusCode, 200, cronOnly.body);
    const samePath = await call('PUT', `/api/schedules/${id}/`, {
      deliveries: { api: { url: `${receiver.url}/moved` } },
    });
    assert.equal(samePath.statusCode, 200, samePath.body);
    assertNoValues(samePath.body);
    assert.equal(samePath.json().records[0].deliveries.api.headers.length, 2);
    assert.equal((await deliveredHeaders(id)).authorization, BEARER);
    const replaced = await call('PUT', `/api/schedules/${id}/`, {
      deliveries: { api: { url: receiver.url, headers: { 'X-Other': 'other-value' } } },
    });
    assert.deepEqual(replaced.json().records[0].deliveries.api.headers, [
      { name: 'X-Other', has_value: true },
    ]);
    const sent = await deliveredHeaders(id);
    assert.equal(sent['x-other'], 'other-value');
    assert.equal(sent.authorization, undefined);
    await call('PUT', `/api/schedules/${id}/`, { deliveries: { api: { url: receiver.url, headers: {} } } });
    assert.equal((await deliveredHeaders(id))['x-other'], undefined);
  });

  test('moving the target to another origin without resending the headers is refused', async () => {
    const id = await createWithHeaders();
    const moved = await call('PUT', `/api/schedules/${id}/`, { deliveries: { api: { url: elsewhere.url } } });
    assert.equal(moved.statusCode, 400, moved.body);
    assert.match(
      moved.json().message,
      /deliveries\.api\.headers: the target moved .* send the headers again/,
    );
    assert.equal((await deliveredHeaders(id)).authorization, BEARER, 'the schedule is unchanged');
    const resent = await call('PUT', `/api/schedules/${id}/`, {
      deliveries: { api: { url: elsewhere.url, headers: { Authorization: 'Bearer for-elsewhere' } } },
    });
    assert.equal(resent.statusCode, 200, resent.body);
    assert.equal((await deliveredHeaders(id, elsewhere)).authorization, 'Bearer for-elsewhere');
  });

  test('a schedule stored with plaintext headers delivers, hides them, and is sealed at start', async () => {
    const id = await createWithHeaders();
    const plaintext = JSON.stringify({ api: { url: receiver.url, headers: { 'X-Legacy': 'plain-secret' } } });
    await t.app.store.db
      .updateTable('schedule')
      .set({ deliveries_json: plaintext })
      .where('id', '=', id)
      .execute();
    const got = await call('GET', `/api/schedules/${id}/`);
    assert.deepEqual(got.json().records[0].deliveries.api.headers, [{ name: 'X-Legacy', has_value: true }]);
    assert.ok(!got.body.includes('plain-secret'));
    assert.equal((await deliveredHeaders(id))['x-legacy'], 'plain-secret');
    // What buildApp runs at every start.
    assert.ok((await t.app.services.schedules.sealPlaintextHeaders()) >= 1);
    assert.ok(!(await storedJson(id)).includes('plain-secret'), 'sealed in the store');
    assert.equal((await deliveredHeaders(id))['x-legacy'], 'plain-secret');
    assert.equal(await t.app.services.schedules.sealPlaintextHeaders(), 0, 'nothing left to seal');
  });
});
