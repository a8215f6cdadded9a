/**
 * The metadata store going away under a running app: killed backends, a stopped server, and
 * start-ups against a refused or hanging port. Runs on a private PostgreSQL cluster (port 5440)
 * since it stops its database; the shared server is never touched.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { setUpDemoOnce } from '../../src/demo/demo-setup.ts';
import { AppError } from '../../src/errors.ts';
import { STORE_UNAVAILABLE_MESSAGE } from '../../src/store/store-faults.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { runServerToExit } from '../helpers/server-process.ts';

const cluster = await startPrivatePostgres({ name: 'storefaults', port: 5440 });
const REPORT = '/api/call/customer-by-id/?_id=42';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function terminateAppBackends(db: PrivatePostgres) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query(
    `select pg_terminate_backend(pid) as done from pg_stat_activity
      where pid <> pg_backend_pid() and backend_type = 'client backend'`,
  );
  await client.end();
  return rows.length;
}

describe('metadata store faults on PostgreSQL', { skip: !cluster && 'no private cluster' }, () => {
  let app: App;
  let header: string;
  let dataDir: string;
  const call = (url = REPORT) => app.server.inject({ url, headers: { authorization: header } });

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sr-store-faults-'));
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: cluster?.url ?? '',
      STORE_CONNECT_TIMEOUT_MS: '1000',
    };
    app = await buildApp(loadConfig(env));
    header = (await setUpDemoOnce(app)) ?? '';
    assert.ok(header, 'demo setup ran');
  });

  after(async () => {
    await app?.close();
    await cluster?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('errors of the SQL itself reach the caller unchanged', async () => {
    await assert.rejects(sql`select * from no_such_table`.execute(app.store.db), (error: Error) => {
      assert.equal((error as { code?: string }).code, '42P01');
      assert.ok(!(error instanceof AppError));
      return true;
    });
  });

  test('killed backends are replaced: the next requests succeed', async () => {
    assert.equal((await call()).statusCode, 200);
    assert.ok((await terminateAppBackends(cluster as PrivatePostgres)) > 0, 'some app backends existed');
    // pg learns of the closed sockets asynchronously; give the event loop a moment.
    await sleep(300);
    for (let i = 0; i < 20; i++) {
      const response = await call();
      assert.equal(response.statusCode, 200, response.body);
    }
    assert.equal((await app.server.inject('/readyz')).statusCode, 200);
  });

  test('a stopped store gives 503 with the store message, and recovers when it is back', async () => {
    const statuses = new Map<number, number>();
    const bodies: string[] = [];
    let stopped: Promise<void> | undefined;
    for (let i = 0; i < 200; i++) {
      if (i === 40) stopped = (cluster as PrivatePostgres).stop();
      const batch = await Promise.all([call(), call()]);
      for (const response of batch) {
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode !== 200) bodies.push(response.body);
      }
      await sleep(10);
    }
    await stopped;
    assert.deepEqual([...statuses.keys()].sort(), [200, 503], JSON.stringify([...statuses]));
    for (const body of bodies) assert.equal(JSON.parse(body).message, STORE_UNAVAILABLE_MESSAGE);

    const down = await app.server.inject('/readyz');
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { ok: false, store: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE });

    await (cluster as PrivatePostgres).start();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await app.server.inject('/readyz')).statusCode;
      if (ready !== 200) await sleep(200);
    }
    assert.equal(ready, 200, 'ready again after the store came back');
    for (let i = 0; i < 10; i++) assert.equal((await call()).statusCode, 200);
  });
});

/** A TCP port that accepts connections and never says a word, like a wedged proxy. */
async function hangingPort(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function refusedPort(): Promise<number> {
  const { port, close } = await hangingPort();
  await close();
  return port;
}

// The two start-ups mostly wait (retry pauses, connect timeouts), so they run side by side.
describe('start-up against an unreachable store', { concurrency: true }, () => {
  const startWith = (port: number) =>
    runServerToExit({
      DATABASE_URL: `postgres://reporter:s3cret-pw@127.0.0.1:${port}/meta`,
      STORE_START_ATTEMPTS: '3',
      STORE_CONNECT_TIMEOUT_MS: '500',
      LOG_LEVEL: 'warn',
    });

  const assertClearFailure = (output: string, port: number, reason: string) => {
    const address = `postgres://127.0.0.1:${port}/meta`;
    assert.match(
      output,
      new RegExp(`${address} unreachable \\(${reason}\\); retrying in 1 s \\(attempt 1 of 3\\)`),
    );
    assert.match(
      output,
      new RegExp(`${address} unreachable \\(${reason}\\); retrying in 2 s \\(attempt 2 of 3\\)`),
    );
    assert.match(
      output,
      new RegExp(`^metadata store at ${address} unreachable \\(${reason}\\) after 3 attempts`, 'm'),
    );
    assert.doesNotMatch(output, /s3cret-pw/);
    assert.doesNotMatch(output, /reporter@/);
    assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
  };

  test('a refused port: retries, then exits 1 with one clear line', async () => {
    const port = await refusedPort();
    const { code, output, ms } = await startWith(port);
    assert.equal(code, 1, output);
    assertClearFailure(output, port, 'ECONNREFUSED');
    assert.ok(ms < 20_000, `took ${ms} ms`);
  });

  test('a port that never answers: each try is bounded by STORE_CONNECT_TIMEOUT_MS', async () => {
    const hanging = await hangingPort();
    try {
      const { code, output, ms } = await startWith(hanging.port);
      assert.equal(code, 1, output);
      assertClearFailure(output, hanging.port, 'timeout');
      assert.ok(ms < 20_000, `took ${ms} ms`);
    } finally {
      await hanging.close();
    }
  });
});
