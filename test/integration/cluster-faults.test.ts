/**
 * A cluster member that accepts TCP and never answers (a node net.Server that never writes):
 * the connect timeout bounds the first attempt, its breaker then keeps `balance` off it so the
 * next runs are fast, one run probes it again after the back-off, and consolidate/distribute
 * fail fast with a 502 naming it while its breaker is open.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { openDataSource } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const pgOk = await postgresReachable();

const CONNECT_MS = 2000;
/** The default breaker's first back-off (src/services/member-health.ts). */
const BACKOFF_MS = 5000;
/** Generous: far below the connect timeout, far above a warm query on a loaded machine. */
const FAST_MS = CONNECT_MS / 2;

let t: TestApp;
let hanging: Server;
const sockets: Socket[] = [];
let accepted = 0;
const admin = () => ({ authorization: t.adminHeader });

before(async () => {
  hanging = createServer((socket) => {
    accepted++;
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const port = (hanging.address() as { port: number }).port;
  t = await createTestApp();
  const connections = [
    { name: 'hang', settings: { host: '127.0.0.1', port, user: 'x', connect_timeout_ms: CONNECT_MS } },
    { name: 'pg', settings: postgresReaderSettings },
  ];
  for (const { name, settings } of connections) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: admin(),
      payload: { name, driver: 'postgres', settings, statement_timeout_ms: 10_000, create_cluster: false },
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  const cluster = await t.app.server.inject({
    method: 'PUT',
    url: '/api/admin/clusters/shaky/',
    headers: admin(),
    payload: { connections: ['hang', 'pg'] },
  });
  assert.ok(cluster.statusCode < 300, cluster.body);
  for (const strategy of ['balance', 'consolidate', 'distribute']) {
    const report = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: admin(),
      payload: { name: `Shaky ${strategy}`, cluster: 'shaky', strategy, groups: ['*'], sql: 'select 1 as n' },
    });
    assert.equal(report.statusCode, 201, report.body);
  }
  // Saving "hang" ran the privilege probe, which met the hanging server once; count runs only.
  accepted = 0;
});
after(async () => {
  await t?.close();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hanging?.close(resolve));
});

async function timed(slug: string) {
  const started = Date.now();
  const response = await t.app.server.inject({ url: `/api/call/${slug}/`, headers: admin() });
  return { response, ms: Date.now() - started };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a hanging member costs one connect timeout, then is skipped, then probed', {
  skip: !pgOk,
}, async () => {
  // Round robin starts anywhere: within two calls one goes to the hanging member first.
  let failedAt = 0;
  for (let call = 0; call < 2 && !failedAt; call++) {
    const { response, ms } = await timed('shaky-balance');
    assert.equal(response.statusCode, 200, response.body);
    if (ms >= CONNECT_MS - 100) {
      assert.ok(ms < CONNECT_MS + 3000, `the connect timeout bounds the attempt (${ms} ms)`);
      failedAt = Date.now();
    }
  }
  assert.ok(failedAt, 'one call met the hanging member');
  assert.equal(accepted, 1);

  for (let call = 0; call < 6; call++) {
    const { response, ms } = await timed('shaky-balance');
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records, [{ n: 1 }]);
    assert.ok(ms < FAST_MS, `call ${call} took ${ms} ms`);
  }
  assert.equal(accepted, 1, 'the open breaker kept every call off the hanging member');

  for (const slug of ['shaky-consolidate', 'shaky-distribute']) {
    const { response, ms } = await timed(slug);
    assert.equal(response.statusCode, 502, response.body);
    assert.match(response.json().message, /"hang" \(next attempt in \d+ s\)/);
    assert.ok(!response.json().message.includes('127.0.0.1'));
    assert.ok(ms < FAST_MS, `${slug} failed fast (${ms} ms)`);
  }

  await sleep(Math.max(0, failedAt + BACKOFF_MS + 100 - Date.now()));
  const probes = [await timed('shaky-balance'), await timed('shaky-balance')];
  for (const { response } of probes) assert.equal(response.statusCode, 200, response.body);
  assert.equal(accepted, 2, 'exactly one call probed the hanging member after the back-off');
  assert.ok(
    probes.some(({ ms }) => ms >= CONNECT_MS - 100),
    'the probe waited for its connect timeout',
  );

  // The failed probe doubled the back-off: the member is skipped again.
  for (let call = 0; call < 3; call++) {
    const { ms } = await timed('shaky-balance');
    assert.ok(ms < FAST_MS, `after the probe, call ${call} took ${ms} ms`);
  }
  assert.equal(accepted, 2);
});

test('mysql: the connect timeout bounds a handshake that never comes', async () => {
  const port = (hanging.address() as { port: number }).port;
  const source = openDataSource(
    'mysql',
    { host: '127.0.0.1', port, user: 'x' },
    { poolSize: 1, statementTimeoutMs: 1500, name: 'hang-mysql' },
  );
  const started = Date.now();
  try {
    await assert.rejects(
      source.run({ sql: 'select 1', values: [], timeoutMs: 1500 })[Symbol.asyncIterator]().next(),
      (error) => error instanceof AppError && error.code === 'database_unreachable',
    );
    const ms = Date.now() - started;
    // connect_timeout_ms defaults to min(5000, statement timeout) = 1500 here.
    assert.ok(ms >= 1400 && ms < 4500, `took ${ms} ms`);
  } finally {
    await source.close();
  }
});
