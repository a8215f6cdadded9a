import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { apiTargetClient, isPrivateAddress } from '../../src/services/api-target.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';
import { signatureMatches, startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'a-webhook-secret-of-some-length';
const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let receiver: WebhookReceiver;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Headers = Record<string, string>;
const call = (
  method: Method,
  url: string,
  payload?: object,
  headers: Headers = { authorization: t.adminHeader },
) => t.app.server.inject({ method, url, headers, payload });

function webhook(extra: object = {}) {
  return {
    report: 'customer-by-id',
    cron: 'daily',
    timezone: 'Europe/Berlin',
    params: { _id: 42 },
    deliveries: { api: { url: receiver.url, headers: { 'X-Team': 'finance' }, secret: SECRET } },
    ...extra,
  };
}

async function create(body: object, headers?: Headers) {
  const response = await call('POST', '/api/schedules/', body, headers);
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0] as { id: number; [key: string]: unknown };
}

async function runNow(id: number, headers?: Headers) {
  const response = await call('POST', `/api/schedules/${id}/run-now/`, undefined, headers);
  assert.equal(response.statusCode, 200, response.body);
  return response.json().records[0] as {
    outcome: string;
    rows: number | null;
    error: string | null;
    deliveries: Array<{ kind: string; ok: boolean; detail: Record<string, unknown>; error: string | null }>;
  };
}

/** Signs a user in and returns the headers of their browser session (cookie + CSRF token). */
async function signIn(email: string): Promise<Headers> {
  await call('POST', '/api/admin/users/', { email, password: PASSWORD });
  const login = await t.app.server.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: PASSWORD },
  });
  const cookie = login.cookies.find((c) => c.name === 'sr_session');
  assert.ok(cookie, login.body);
  return { cookie: `sr_session=${cookie.value}`, 'x-csrf-token': login.json().records[0].csrf_token };
}

before(async () => {
  t = await createTestApp({ ALLOW_PRIVATE_TARGETS: 'true' });
  receiver = await startReceiver();
  const report = await call('POST', '/api/admin/reports/', {
    name: 'Secret sales',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'select 1 as one',
  });
  assert.equal(report.statusCode, 201, report.body);
});
after(async () => {
  await receiver.close();
  await t.close();
});

describe('saving a schedule', () => {
  test('a preset is expanded, the next run is computed and the secret is never returned', async () => {
    const saved = await create(webhook());
    assert.equal(saved.cron, '0 0 * * *');
    assert.equal(saved.timezone, 'Europe/Berlin');
    assert.equal(saved.report, 'customer-by-id');
    assert.equal(saved.active, true);
    assert.ok(typeof saved.next_run_at === 'string' && Date.parse(saved.next_run_at) > Date.now());
    assert.deepEqual(saved.deliveries, {
      email: null,
      api: { url: receiver.url, headers: [{ name: 'X-Team', has_value: true }], has_secret: true },
    });
    const listed = await call('GET', '/api/schedules/');
    assert.ok(!listed.body.includes(SECRET));
    const row = await t.app.store.db
      .selectFrom('schedule')
      .select('deliveries_json')
      .where('id', '=', saved.id)
      .executeTakeFirstOrThrow();
    assert.ok(!row.deliveries_json.includes(SECRET), 'the secret is stored sealed');
  });

  for (const [what, body, expected] of [
    [
      'a bad cron expression',
      { cron: '61 * * * *' },
      /cron: "61 \* \* \* \*" is not a valid cron expression/,
    ],
    [
      'an unknown time zone',
      { timezone: 'Mars/Olympus' },
      /timezone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    ['a parameter of the wrong type', { params: { _id: 'forty-two' } }, /Parameter "_id" must be an integer/],
    ['no delivery', { deliveries: {} }, /give at least one delivery/],
    [
      'a mail recipient outside the allowed domains',
      { deliveries: { email: { to: ['x@elsewhere.example'] } } },
      /neither the owner's address nor in an allowed mail domain/,
    ],
  ] as const) {
    test(`${what} is a 400 naming the problem`, async () => {
      const response = await call('POST', '/api/schedules/', webhook(body));
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.json().message, expected);
    });
  }

  test('a report the caller cannot run cannot be scheduled', async () => {
    const outsider = await createToken(t, 'sched-outsider', ['nobody']);
    const response = await call('POST', '/api/schedules/', webhook({ report: 'secret-sales', params: {} }), {
      authorization: outsider,
    });
    assert.equal(response.statusCode, 403, response.body);
  });
});

describe('API target delivery', () => {
  test('run-now posts the signed envelope to the receiver and records the run', async () => {
    receiver.received.length = 0;
    const saved = await create(webhook());
    const run = await runNow(saved.id);
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
    assert.equal(run.rows, 1);
    assert.equal(receiver.received.length, 1);
    const [hit] = receiver.received;
    assert.ok(hit);
    assert.ok(
      signatureMatches(hit.body, hit.headers['x-secure-reporter-signature'], SECRET),
      'HMAC verifies',
    );
    assert.ok(
      !signatureMatches(hit.body, hit.headers['x-secure-reporter-signature'], 'another-secret-value'),
    );
    assert.match(String(hit.headers['x-secure-reporter-timestamp']), /^\d{10}$/);
    assert.equal(hit.headers['x-team'], 'finance');
    assert.equal(hit.headers['content-type'], 'application/json');
    const envelope = JSON.parse(hit.body);
    assert.equal(envelope.ok, true);
    assert.equal(envelope.message, '');
    assert.equal(envelope.records.length, 1);
    assert.equal(envelope.records[0].id, 42);
    assert.deepEqual(Object.keys(envelope.records[0]), ['id', 'name', 'email', 'credit_limit']);
    assert.deepEqual(
      run.deliveries.map((d) => [d.kind, d.ok, d.detail.status, d.detail.attempts]),
      [['api', true, 200, 1]],
    );
  });

  test('a failing target is retried with back-off until it answers', async () => {
    receiver.received.length = 0;
    receiver.script = [503, 500];
    const saved = await create(webhook());
    const run = await runNow(saved.id);
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
    assert.equal(receiver.received.length, 3);
    assert.equal(run.deliveries[0]?.detail.attempts, 3);
    const [first, second, third] = receiver.received.map((r) => r.at);
    assert.ok(first && second && third);
    assert.ok(second - first >= 450, `first wait ${second - first} ms`);
    assert.ok(third - second >= 950, `second wait ${third - second} ms; the back-off doubles`);
    // Every attempt carries the same signed body.
    assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1);
  });

  test('a target that keeps failing makes a failed delivery in the history', async () => {
    receiver.received.length = 0;
    receiver.script = [404];
    const saved = await create(webhook());
    const run = await runNow(saved.id);
    assert.equal(run.outcome, 'delivery_failed');
    assert.equal(receiver.received.length, 1, 'a 4xx answer is not retried');
    assert.match(run.deliveries[0]?.error ?? '', /HTTP 404/);
  });

  test('private, loopback and link-local addresses are refused unless allowed', async () => {
    const strict = await createTestApp();
    try {
      for (const url of [
        receiver.url,
        'http://localhost:9/hook',
        'http://[::1]:9/',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::ffff:10.0.0.1]/',
        'http://0.0.0.0:9/',
      ]) {
        const response = await strict.app.server.inject({
          method: 'POST',
          url: '/api/schedules/',
          headers: { authorization: strict.adminHeader },
          payload: webhook({ deliveries: { api: { url } } }),
        });
        assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
        assert.match(response.json().message, /deliveries\.api\.url: .*ALLOW_PRIVATE_TARGETS=true/);
      }
    } finally {
      await strict.close();
    }
    // At run time (DNS may have changed since the save) the refusal is a failed delivery.
    const result = await apiTargetClient({ allowPrivate: false }).deliver(
      { url: receiver.url },
      { ok: true },
    );
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 0);
    assert.match(result.error ?? '', /private, loopback or link-local/);
  });

  test('the address check covers IPv4 and IPv6 ranges', () => {
    for (const address of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      '::ffff:192.168.0.1',
      '::ffff:7f00:1',
      'ff02::1',
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });
});

describe('owners and pauses', () => {
  test('owners see and change their own schedules; admins see all', async () => {
    const alice = await signIn('alice@example.com');
    const bob = await signIn('bob@example.com');
    const mine = await create(webhook({ name: 'Alice daily' }), alice);
    assert.equal(mine.owner, 'alice@example.com');
    const bobList = await call('GET', '/api/schedules/', undefined, bob);
    assert.deepEqual(bobList.json().records, []);
    assert.equal((await call('GET', `/api/schedules/${mine.id}/`, undefined, bob)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/schedules/${mine.id}/`, undefined, bob)).statusCode, 404);
    const changed = await call('PUT', `/api/schedules/${mine.id}/`, { cron: '30 6 * * 1-5' }, alice);
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().records[0].cron, '30 6 * * 1-5');
    assert.equal(
      changed.json().records[0].deliveries.api.has_secret,
      true,
      'an update without a secret keeps it',
    );
    const adminList = await call('GET', '/api/schedules/');
    assert.ok(adminList.json().records.some((s: { id: number }) => s.id === mine.id));
  });

  test('a deleted owner pauses the schedule with a visible reason', async () => {
    const carol = await signIn('carol@example.com');
    const saved = await create(webhook(), carol);
    assert.equal((await call('DELETE', '/api/admin/users/carol@example.com/')).statusCode, 200);
    const run = await runNow(saved.id);
    assert.equal(run.outcome, 'paused');
    assert.equal(run.error, 'owner deleted');
    const shown = (await call('GET', `/api/schedules/${saved.id}/`)).json().records[0];
    assert.equal(shown.active, false);
    assert.equal(shown.paused_reason, 'owner deleted');
    assert.equal(shown.next_run_at, null);
    assert.equal(
      await t.app.services.schedules.runTick(saved.id, new Date()),
      null,
      'a paused schedule does not run',
    );
  });

  test("deleting a user pauses their schedules at once, before any tick; others' stay", async () => {
    const erin = await signIn('erin@example.com');
    const frank = await signIn('frank@example.com');
    const mine = [await create(webhook(), erin), await create(webhook({ cron: 'hourly' }), erin)];
    const theirs = await create(webhook(), frank);
    await t.app.scheduler?.sync();
    assert.ok(t.app.scheduler?.armed().includes(mine[0]?.id ?? -1), 'armed while the owner exists');
    assert.equal((await call('DELETE', '/api/admin/users/erin@example.com/')).statusCode, 200);
    assert.ok(
      !t.app.scheduler?.armed().some((id) => mine.some((s) => s.id === id)),
      'timers dropped by the time the deletion answers',
    );
    for (const saved of mine) {
      const shown = (await call('GET', `/api/schedules/${saved.id}/`)).json().records[0];
      assert.equal(shown.active, false);
      assert.equal(shown.paused_reason, 'owner deleted');
      assert.equal(shown.next_run_at, null);
      const runs = (await call('GET', `/api/schedules/${saved.id}/runs/`)).json().records;
      assert.deepEqual(runs, [], 'paused without a run');
    }
    const other = (await call('GET', `/api/schedules/${theirs.id}/`, undefined, frank)).json().records[0];
    assert.equal(other.active, true);
    assert.equal(other.paused_reason, null);
  });

  test('an owner who lost access to the report pauses the schedule', async () => {
    await call('POST', '/api/admin/group-lists/', { name: 'sales' });
    await call('POST', '/api/admin/group-lists/sales/members/', { email: 'dave@example.com' });
    const dave = await signIn('dave@example.com');
    const saved = await create(webhook({ report: 'secret-sales', params: {} }), dave);
    assert.equal((await runNow(saved.id, dave)).outcome, 'ok');
    await call('DELETE', '/api/admin/group-lists/sales/members/dave@example.com/');
    const run = await runNow(saved.id, dave);
    assert.equal(run.outcome, 'paused');
    const shown = (await call('GET', `/api/schedules/${saved.id}/`, undefined, dave)).json().records[0];
    assert.equal(shown.paused_reason, 'owner has no access to the report');
    // Switching it back on clears the reason, once access is back.
    await call('POST', '/api/admin/group-lists/sales/members/', { email: 'dave@example.com' });
    const resumed = await call('PUT', `/api/schedules/${saved.id}/`, { active: true }, dave);
    assert.equal(resumed.statusCode, 200, resumed.body);
    assert.equal(resumed.json().records[0].paused_reason, null);
  });

  test('deleting a report deletes its schedules', async () => {
    await call('POST', '/api/admin/reports/', {
      name: 'Short lived',
      cluster: 'demo',
      groups: ['*'],
      sql: 'select 1 as one',
    });
    const saved = await create(webhook({ report: 'short-lived', params: {} }));
    assert.equal((await call('DELETE', '/api/admin/reports/short-lived/')).statusCode, 200);
    assert.equal((await call('GET', `/api/schedules/${saved.id}/`)).statusCode, 404);
  });

  test('a token owner that is deleted pauses its schedule', async () => {
    const header = await createToken(t, 'sched-bot', ['*']);
    const saved = await create(webhook(), { authorization: header });
    assert.equal(saved.owner, 'sched-bot');
    assert.equal(saved.owner_kind, 'token');
    await call('DELETE', '/api/admin/tokens/sched-bot/');
    const shown = (await call('GET', `/api/schedules/${saved.id}/`)).json().records[0];
    assert.equal(shown.active, false, 'paused at once, before any tick');
    assert.equal(shown.paused_reason, 'owner deleted');
    assert.deepEqual((await call('GET', `/api/schedules/${saved.id}/runs/`)).json().records, []);
  });
});

describe('ticks and history', () => {
  test('a tick runs once however often it is handed out, and the history shows each run', async () => {
    receiver.received.length = 0;
    const saved = await create(webhook());
    const tick = new Date('2030-01-01T06:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.app.services.schedules.runTick(saved.id, tick)),
    );
    assert.equal(results.filter((id) => id !== null).length, 1);
    await t.app.services.schedules.runTick(saved.id, new Date('2030-01-02T06:00:00Z'));
    assert.equal(receiver.received.length, 2);
    const runs = (await call('GET', `/api/schedules/${saved.id}/runs/`)).json().records;
    assert.deepEqual(
      runs.map((r: { tick_at: string; outcome: string }) => [r.tick_at, r.outcome]),
      [
        ['2030-01-02T06:00:00.000Z', 'ok'],
        ['2030-01-01T06:00:00.000Z', 'ok'],
      ],
    );
    assert.ok(runs[0].finished_at >= runs[0].started_at);
    const shown = (await call('GET', `/api/schedules/${saved.id}/`)).json().records[0];
    assert.ok(shown.last_run_at);
  });

  test('the in-process engine fires an every-second schedule, and stops when paused', async () => {
    receiver.received.length = 0;
    const saved = await create(webhook({ cron: '* * * * * *' }));
    await new Promise((resolve) => setTimeout(resolve, 2600));
    await call('PUT', `/api/schedules/${saved.id}/`, { active: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const runs = (await call('GET', `/api/schedules/${saved.id}/runs/`)).json().records as Array<{
      tick_at: string;
    }>;
    assert.ok(runs.length >= 2, `${runs.length} runs`);
    for (const run of runs) assert.match(run.tick_at, /:\d\d\.000Z$/, 'ticks are whole seconds');
    const count = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const later = (await call('GET', `/api/schedules/${saved.id}/runs/`)).json().records;
    assert.equal(later.length, count, 'no runs after the pause');
  });

  test('on SQLite the job engine runs in-process and pg-boss is never loaded', () => {
    assert.equal(t.app.scheduler?.boss, null);
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    assert.ok(loaded.length > 0, 'the module cache is readable');
    assert.ok(!loaded.some((file) => file.includes('/pg-boss/')), 'pg-boss is not loaded');
  });
});
