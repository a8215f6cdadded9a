/**
 * Two real server processes behind HAProxy on a private PostgreSQL cluster, which is restarted
 * while a bounded load of reads and writes runs through the balancer: no instance dies, every
 * answer is a success or a clear 503, every write that was answered 201 is still there
 * afterwards, and every instance ends healthy without being restarted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type Fleet, startFleet } from '../helpers/fleet.ts';
import { haproxyInstalled } from '../helpers/haproxy.ts';
import { type CallResult, call } from '../helpers/http-call.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { required } from '../helpers/skip-or-fail.ts';

const ready = required(haproxyInstalled(), 'HAProxy');
const LOAD_REQUESTS = 240;

let cluster: PrivatePostgres | null = null;
let fleet: Fleet | undefined;

before(async () => {
  if (!ready) return;
  cluster = await startPrivatePostgres({ name: 'fleetrestart', port: 5441 });
  if (!cluster) return;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database fleet');
  await admin.end();
  fleet = await startFleet({
    databaseUrl: cluster.url.replace(/\/postgres$/, '/fleet'),
    size: 2,
    env: { STORE_CONNECT_TIMEOUT_MS: '1000' },
  });
});

after(async () => {
  await fleet?.stop();
  await cluster?.drop();
});

/** Waits until every instance answers /readyz 200, for at most `ms`. */
async function allReady(ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const answers = await Promise.all(
      (fleet?.instances ?? []).map((instance) => call(instance.url, '/readyz').catch(() => null)),
    );
    if (answers.every((answer) => answer?.status === 200)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

describe('a fleet while its PostgreSQL store restarts', { skip: !ready }, () => {
  test('loses no saved data, answers 503 during the outage, and recovers by itself', async (t) => {
    // Outside CI a machine without the cluster tools skips (startPrivatePostgres said why).
    if (!cluster) return t.skip('no private PostgreSQL cluster');
    assert.ok(fleet, 'the fleet started');
    const admin = { authorization: fleet.adminHeader };
    const answers: CallResult[] = [];
    const saved: string[] = [];
    const load = (async () => {
      for (let i = 0; i < LOAD_REQUESTS; i++) {
        const write = i % 3 === 0;
        const name = `restart-${i}`;
        const answer = write
          ? await call(fleet.balancer.url, '/api/admin/tokens/', {
              method: 'POST',
              headers: admin,
              body: { name, groups: ['*'], expiry: '1d' },
            })
          : await call(fleet.balancer.url, '/api/call/customer-by-id/?_id=42', { headers: admin });
        answers.push(answer);
        if (write && answer.status === 201) saved.push(name);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sentBeforeRestart = answers.length;
    await cluster.restart();
    await load;
    assert.ok(sentBeforeRestart < LOAD_REQUESTS / 2, 'the restart came while the load ran');

    const statuses = answers.map((answer) => answer.status);
    const counts = new Map<number, number>();
    for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries(counts))}`);
    const unexpected = answers.filter((answer) => ![200, 201, 503].includes(answer.status));
    assert.deepEqual(unexpected, [], 'only successes and 503s');
    assert.ok(statuses.includes(503) || saved.length > 0, 'the load ran across the restart');
    for (const answer of answers.filter((one) => one.status === 503 && one.json?.ok === false)) {
      assert.match(answer.json.message, /metadata store is unavailable/);
    }
    for (const instance of fleet.instances) {
      const state = await Promise.race([instance.exited.then(() => 'exited'), Promise.resolve('running')]);
      assert.equal(state, 'running', `instance ${instance.url} is still running`);
    }
    assert.ok(await allReady(30_000), 'every instance is ready again');

    const listed = await call(fleet.balancer.url, '/api/admin/tokens/', { headers: admin });
    assert.equal(listed.status, 200);
    const names = new Set(listed.json.records.map((record: { name: string }) => record.name));
    assert.deepEqual(
      saved.filter((name) => !names.has(name)),
      [],
      'every token answered 201 is stored',
    );
    for (const instance of fleet.instances) {
      const run = await call(instance.url, '/api/call/customer-by-id/?_id=42', { headers: admin });
      assert.equal(run.status, 200, `${instance.url} runs reports again`);
    }
  });
});
