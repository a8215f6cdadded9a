/**
 * Three real server processes on one PostgreSQL metadata database behind a real HAProxy
 * (round robin, health checks on /readyz): tokens, schedules and failed-attempt limits behave
 * as on one server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PgBoss from 'pg-boss';
import { TICK_QUEUE } from '../../src/jobs/scheduler.ts';
import { type Fleet, startFleet } from '../helpers/fleet.ts';
import { haproxyInstalled, SERVER_HEADER } from '../helpers/haproxy.ts';
import { type CallOptions, call } from '../helpers/http-call.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { required } from '../helpers/skip-or-fail.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const ready = required(await postgresReachable(), 'PostgreSQL') && required(haproxyInstalled(), 'HAProxy');

let database: { url: string; drop(): Promise<void> } | undefined;
let fleet: Fleet;
let receiver: WebhookReceiver;

before(async () => {
  if (!ready) return;
  database = await createPostgresDatabase('sr_fleet');
  receiver = await startReceiver();
  fleet = await startFleet({ databaseUrl: database.url, size: 3 });
});

after(async () => {
  await fleet?.stop();
  await receiver?.close();
  await database?.drop();
});

const admin = (options: CallOptions = {}): CallOptions => ({
  ...options,
  headers: { authorization: fleet.adminHeader, ...options.headers },
});
const viaBalancer = (pathname: string, options?: CallOptions) => call(fleet.balancer.url, pathname, options);
/** The same request to every instance directly. */
const onEachInstance = (pathname: string, options?: CallOptions) =>
  Promise.all(fleet.instances.map((instance) => call(instance.url, pathname, options)));

describe('a fleet behind HAProxy', { skip: !ready }, () => {
  test('the balancer spreads requests over every instance', async () => {
    const servers = new Set<unknown>();
    for (let i = 0; i < 6; i++) servers.add((await viaBalancer('/readyz')).headers[SERVER_HEADER]);
    assert.deepEqual([...servers].sort(), ['i0', 'i1', 'i2']);
  });

  test('a token made through the balancer works everywhere; deleted on one, refused by all', async () => {
    const created = await viaBalancer(
      '/api/admin/tokens/',
      admin({ method: 'POST', body: { name: 'fleet-reader', groups: ['*'], expiry: '1d' } }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const header = { authorization: created.json.records[0].header as string };
    for (const me of await onEachInstance('/api/me', { headers: header })) {
      assert.equal(me.status, 200);
      assert.equal(me.json.records[0].name, 'fleet-reader');
    }
    const deleted = await call(
      fleet.instances[1]?.url ?? '',
      '/api/admin/tokens/fleet-reader/',
      admin({ method: 'DELETE' }),
    );
    assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
    const direct = await onEachInstance('/api/me', { headers: header });
    assert.deepEqual(
      direct.map((response) => response.status),
      [401, 401, 401],
    );
    for (let i = 0; i < 3; i++) assert.equal((await viaBalancer('/api/me', { headers: header })).status, 401);
  });

  test('a tick handed to the workers of all three instances runs once', async () => {
    // A yearly timetable: every job sent below belongs to the same tick, and no real tick of
    // the timetable can fall inside the test to blur the count.
    const created = await viaBalancer(
      '/api/schedules/',
      admin({
        method: 'POST',
        body: {
          report: 'customer-by-id',
          name: 'fleet once',
          cron: '0 0 1 1 *',
          params: { _id: 7 },
          deliveries: { api: { url: receiver.url } },
        },
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.records[0].id as number;
    // One queue serves every schedule on every instance: the copies go to whichever has room.
    await sendJobs(TICK_QUEUE, { scheduleId: id, tickAt: '2031-01-01T00:00:00.000Z' }, 6);
    const runs = await viaBalancer(`/api/schedules/${id}/runs/`, admin());
    assert.equal(runs.json.records.length, 1, JSON.stringify(runs.json.records));
    assert.equal(runs.json.records[0].outcome, 'ok');
    assert.equal(receiver.received.length, 1, 'one delivery');
  });

  test('failed sign-ins and tokens round-robined over the fleet are limited as one server', async () => {
    const other = '127.0.0.2';
    const badToken = { authorization: `Basic ${Buffer.from('nobody:guess').toString('base64')}` };
    const statuses: number[] = [];
    const answeredBy = new Set<unknown>();
    for (let i = 0; i < 10; i++) {
      // A forged X-Forwarded-For is replaced by HAProxy: it cannot buy a fresh address.
      const headers = { ...badToken, 'x-forwarded-for': `203.0.113.${i}` };
      const response = await viaBalancer('/api/me', { headers, localAddress: other });
      statuses.push(response.status);
      answeredBy.add(response.headers[SERVER_HEADER]);
    }
    assert.deepEqual(statuses, Array(10).fill(401));
    assert.equal(answeredBy.size, 3, 'the attempts reached every instance');
    assert.equal((await viaBalancer('/api/me', { headers: badToken, localAddress: other })).status, 429);
    const direct = await onEachInstance('/api/me', { headers: badToken, localAddress: other });
    assert.deepEqual(
      direct.map((response) => response.status),
      [429, 429, 429],
    );

    const signIn = { method: 'POST', body: { email: 'erin@example.com', password: 'guess' } };
    const signIns: number[] = [];
    for (let i = 0; i < 5; i++) signIns.push((await viaBalancer('/auth/login', signIn)).status);
    assert.deepEqual(signIns, Array(5).fill(401));
    assert.equal((await viaBalancer('/auth/login', signIn)).status, 429);
    // The admin token, from the usual address, is not affected.
    assert.equal((await viaBalancer('/api/me', admin())).status, 200);
  });
});

/** Sends `count` copies of a job, as a duplicated or retried job would be, and waits them out. */
async function sendJobs(queue: string, data: object, count: number) {
  const boss = new PgBoss({
    connectionString: fleet.databaseUrl,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  await boss.start();
  try {
    for (let i = 0; i < count; i++) assert.ok(await boss.send(queue, data));
    const deadline = Date.now() + 20_000;
    while ((await boss.getQueueSize(queue)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Jobs fetched are no longer queued but may still be running: let their runs finish.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
