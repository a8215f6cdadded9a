/**
 * Two server instances on one PostgreSQL metadata database: every tick of a schedule runs once
 * and on time, and a job pg-boss hands out is worked by one of the two workers only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { setUpDemoOnce } from '../../src/demo/demo-setup.ts';
import { TICK_QUEUE, tickJobId } from '../../src/jobs/scheduler.ts';
import { postgresAdminUrl } from '../helpers/databases.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { signatureMatches, startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const reachable = await postgresReachable();
const SECRET = 'shared-secret-for-both-instances';

let database: { url: string; drop(): Promise<void> } | undefined;
let receiver: WebhookReceiver;
const apps: App[] = [];
const dirs: string[] = [];
let adminHeader = '';

async function instance(url: string): Promise<App> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secure-reporter-pg-'));
  dirs.push(dataDir);
  const app = await buildApp(
    loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: url,
      // Instances of one deployment share the server key, or sealed secrets cannot be opened.
      SECRET_KEY: 'k'.repeat(48),
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'silent',
    }),
  );
  apps.push(app);
  return app;
}

before(async () => {
  if (!reachable) return;
  database = await createPostgresDatabase('sr_schedules');
  receiver = await startReceiver();
  const first = await instance(database.url);
  adminHeader = (await setUpDemoOnce(first)) ?? '';
  await instance(database.url);
});

after(async () => {
  for (const app of apps) await app.close();
  if (database) await connectionsGone(database.url);
  await receiver?.close();
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * pg ends a pool before its sockets have closed; dropping the database while they close kills
 * them with an error no one listens to any more. Wait until the server has let them go.
 */
async function connectionsGone(url: string) {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    for (let i = 0; i < 50; i++) {
      const { rows } = await client.query(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

async function createSchedule(app: App, body: object) {
  return app.server.inject({
    method: 'POST',
    url: '/api/schedules/',
    headers: { authorization: adminHeader },
    payload: body,
  });
}

/**
 * A daily time half a day from now (UTC). The first two tests count deliveries on the shared
 * receiver for ticks they hand out themselves; an every-minute timetable would add a real tick
 * whenever a minute turns during them. The schedule stays active, as a tick of a paused one does
 * not run; timers firing on time are the third test's, with a receiver of its own.
 */
function dailyHalfADayAway(): string {
  const at = new Date(Date.now() + 12 * 3_600_000);
  return `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

test('each tick runs exactly once across two instances', { skip: !reachable }, async () => {
  const [one, two] = apps;
  assert.ok(one && two, 'two instances');
  const response = await createSchedule(one, {
    report: 'customer-by-id',
    cron: dailyHalfADayAway(),
    params: { _id: 7 },
    deliveries: { api: { url: receiver.url, secret: SECRET } },
  });
  assert.equal(response.statusCode, 201, response.body);
  const { id } = response.json().records[0] as { id: number };
  // The second instance sees the schedule the first one saved.
  const seen = await two.server.inject({
    url: `/api/schedules/${id}/`,
    headers: { authorization: adminHeader },
  });
  assert.equal(seen.statusCode, 200, seen.body);

  const ticks = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2030, 0, 1, 0, i)));
  const claims = await Promise.all(
    ticks.flatMap((tick) =>
      Array.from({ length: 6 }, (_, n) => (n % 2 === 0 ? one : two).services.schedules.runTick(id, tick)),
    ),
  );
  assert.equal(claims.filter((claim) => claim !== null).length, ticks.length, 'one claim per tick');
  const runs = await one.store.db
    .selectFrom('schedule_run')
    .select(['tick_at', 'outcome'])
    .where('schedule_id', '=', id)
    .execute();
  assert.equal(runs.length, ticks.length);
  assert.deepEqual(new Set(runs.map((run) => run.outcome)), new Set(['ok']));
  assert.equal(receiver.received.length, ticks.length, 'one delivery per tick');
  for (const hit of receiver.received) {
    assert.ok(signatureMatches(hit.body, hit.headers['x-secure-reporter-signature'], SECRET), 'signed');
  }
});

test('jobs handed to the workers of both instances run a tick once', { skip: !reachable }, async () => {
  const [one, two] = apps;
  assert.ok(one?.scheduler?.boss && two?.scheduler?.boss, 'both instances run pg-boss');
  const id = (await one.store.db.selectFrom('schedule').select('id').executeTakeFirstOrThrow()).id;
  const before = receiver.received.length;
  const tickAt = '2031-06-01T08:00:00.000Z';
  // The same tick sent three times under fresh job ids, as a retried or duplicated job would be.
  for (const boss of [one.scheduler.boss, two.scheduler.boss, one.scheduler.boss]) {
    assert.ok(await boss.send(TICK_QUEUE, { scheduleId: id, tickAt }), 'queued under a fresh id');
  }
  // Sent under its own id, as the timers send it, a second copy is not even queued.
  const jobId = tickJobId(id, new Date('2031-06-01T09:00:00.000Z'));
  const data = { scheduleId: id, tickAt: '2031-06-01T09:00:00.000Z' };
  assert.equal(await one.scheduler.boss.send(TICK_QUEUE, data, { id: jobId }), jobId);
  assert.equal(await two.scheduler.boss.send(TICK_QUEUE, data, { id: jobId }), null);
  const runsOf = () =>
    one.store.db
      .selectFrom('schedule_run')
      .select(['tick_at', 'outcome'])
      .where('schedule_id', '=', id)
      .where('tick_at', '>=', '2031-06-01')
      .where('outcome', '!=', 'running')
      .execute();
  const deadline = Date.now() + 20_000;
  while ((await runsOf()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500));
  const runs = await runsOf();
  assert.deepEqual(runs.map((run) => run.tick_at).sort(), [tickAt, data.tickAt]);
  assert.equal(receiver.received.length - before, 2, 'one delivery per tick');
});

test('ticks start on time, once each, with both instances armed', { skip: !reachable }, async (t) => {
  const [one, two] = apps;
  assert.ok(one?.scheduler && two?.scheduler, 'both instances run a scheduler');
  // Its own receiver: the schedule of the first test posts to the shared one.
  const own = await startReceiver();
  t.after(() => own.close());
  const response = await createSchedule(two, {
    report: 'customer-by-id',
    cron: '* * * * *',
    params: { _id: 7 },
    deliveries: { api: { url: own.url } },
  });
  assert.equal(response.statusCode, 201, response.body);
  const { id } = response.json().records[0] as { id: number };
  // Every two seconds, so the test need not wait for a minute to turn. The API allows minute
  // timetables only on PostgreSQL; the engine's timers treat both the same way.
  await one.store.db.updateTable('schedule').set({ cron: '*/2 * * * * *' }).where('id', '=', id).execute();
  await one.scheduler.sync();
  await two.scheduler.sync();
  assert.ok(one.scheduler.armed().includes(id) && two.scheduler.armed().includes(id), 'armed on both');
  await new Promise((r) => setTimeout(r, 5000));
  await one.store.db.updateTable('schedule').set({ active: 0 }).where('id', '=', id).execute();
  await one.scheduler.sync();
  await two.scheduler.sync();
  await new Promise((r) => setTimeout(r, 1500));
  const runs = await one.store.db
    .selectFrom('schedule_run')
    .select(['tick_at', 'started_at', 'outcome'])
    .where('schedule_id', '=', id)
    .execute();
  assert.ok(runs.length >= 2, `${runs.length} runs`);
  for (const run of runs) {
    const late = Date.parse(run.started_at) - Date.parse(run.tick_at);
    assert.ok(late >= 0 && late < 8000, `tick ${run.tick_at} started ${late} ms late`);
    assert.equal(run.outcome, 'ok');
  }
  assert.equal(own.received.length, runs.length, 'one delivery per tick');
  assert.equal(new Set(runs.map((run) => run.tick_at)).size, runs.length);
});

test('one queue serves every schedule; deleting one disarms it everywhere', {
  skip: !reachable,
}, async () => {
  const [one, two] = apps;
  assert.ok(one?.scheduler?.boss && two?.scheduler?.boss, 'both instances run pg-boss');
  const { id } = (
    await createSchedule(two, {
      report: 'customer-by-id',
      cron: 'hourly',
      timezone: 'Europe/Berlin',
      deliveries: { api: { url: receiver.url } },
    })
  ).json().records[0] as { id: number };
  await one.scheduler.sync();
  assert.ok(one.scheduler.armed().includes(id), 'the other instance arms it at its next sync');
  const queues = (await one.scheduler.boss.getQueues()).map((queue) => queue.name);
  assert.ok(queues.includes(TICK_QUEUE), queues.join(', '));
  assert.ok(!queues.some((name) => /^schedule-\d+$/.test(name)), queues.join(', '));
  assert.deepEqual(await one.scheduler.boss.getSchedules(), [], 'no pg-boss timetables');
  const deleted = await one.server.inject({
    method: 'DELETE',
    url: `/api/schedules/${id}/`,
    headers: { authorization: adminHeader },
  });
  assert.equal(deleted.statusCode, 200, deleted.body);
  // The deleting instance re-arms before it answers, so no sync of its own is awaited here.
  assert.ok(!one.scheduler.armed().includes(id), 'disarmed where it was deleted, before the answer');
  await two.scheduler.sync();
  assert.ok(!two.scheduler.armed().includes(id), 'disarmed on the other instance at its next sync');
});

test('second-granular timetables are refused on PostgreSQL', { skip: !reachable }, async () => {
  const [one] = apps;
  assert.ok(one, 'an instance');
  const response = await createSchedule(one, {
    report: 'customer-by-id',
    cron: '* * * * * *',
    deliveries: { api: { url: receiver.url } },
  });
  assert.equal(response.statusCode, 400);
  assert.match(response.json().message, /at most once a minute/);
});

test('a job sent once is worked once by one of two workers', { skip: !reachable }, async () => {
  const [one, two] = apps;
  const bossOne = one?.scheduler?.boss;
  const bossTwo = two?.scheduler?.boss;
  assert.ok(bossOne && bossTwo, 'both instances run pg-boss');
  const queue = 'exactly-once-probe';
  await bossOne.createQueue(queue);
  const worked: Array<{ worker: string; id: string }> = [];
  for (const [worker, boss] of [
    ['one', bossOne],
    ['two', bossTwo],
  ] as const) {
    await boss.work(queue, { pollingIntervalSeconds: 0.5, batchSize: 3 }, async (jobs) => {
      for (const job of jobs) worked.push({ worker, id: job.id });
    });
  }
  const sent = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const jobId = await (i % 2 === 0 ? bossOne : bossTwo).send(queue, { i });
    assert.ok(jobId, 'queued');
    sent.add(jobId);
  }
  const deadline = Date.now() + 20_000;
  while (worked.length < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(worked.length, sent.size, 'every job worked once, none twice');
  assert.deepEqual(new Set(worked.map((w) => w.id)), sent);
  await bossOne.offWork(queue);
  await bossTwo.offWork(queue);
});
