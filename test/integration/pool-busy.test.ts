/**
 * A pool that is merely busy is no outage: with every connection held, the next run waits at
 * most `pool_wait_ms` and answers 503 "the connection pool of <name> is busy" (not 502), the
 * refusal is counted in poolStats(), and the pool works again once the connection comes back.
 * Also: connect and pool-wait settings above the statement timeout are refused with a 400.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource, DriverName, RunRequest } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { dataSourceCache } from '../../src/services/data-source-cache.ts';
import type { ConnectionRow } from '../../src/store/tables.ts';
import { mysqlUrl } from '../helpers/databases.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { unavailable } from '../helpers/skip-or-fail.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const pgOk = await postgresReachable();
const mysqlOk = await mysqlReachable();

const WAIT_MS = 400;
/** Generous: a correctness check that the wait is bounded, not a benchmark. */
const BOUND_MS = WAIT_MS + 2000;

let t: TestApp;
let db: { url: string; readerUrl: string; drop(): Promise<void> } | undefined;
const admin = () => ({ authorization: t.adminHeader });

before(async () => {
  t = await createTestApp();
  if (pgOk) db = await createPostgresDatabase('sr_pool_busy');
});
after(async () => {
  await t.close();
  await db?.drop();
});

async function mysqlReachable(): Promise<boolean> {
  const probe = openDataSource(
    'mysql',
    { url: mysqlUrl, connect_timeout_ms: 2000 },
    { poolSize: 1, statementTimeoutMs: 5000 },
  );
  try {
    await probe.test();
    return true;
  } catch {
    unavailable(`MariaDB not reachable at ${mysqlUrl}`);
    return false;
  } finally {
    await probe.close();
  }
}

test('a second run on a busy pool is a 503 within pool_wait_ms', { skip: !pgOk }, async () => {
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/connections/',
    headers: admin(),
    payload: {
      name: 'pg-busy',
      driver: 'postgres',
      settings: { url: db?.readerUrl, pool_wait_ms: WAIT_MS },
      pool_size: 1,
      statement_timeout_ms: 10_000,
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const report = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin(),
    payload: { name: 'Sleepy', cluster: 'pg-busy', groups: ['*'], sql: 'select pg_sleep(2) as slept' },
  });
  assert.equal(report.statusCode, 201, report.body);
  const call = () => t.app.server.inject({ url: '/api/call/sleepy/', headers: admin() });

  const holding = call();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the first run holds the one connection
  const started = Date.now();
  const refused = await call();
  const waited = Date.now() - started;
  assert.equal(refused.statusCode, 503, refused.body);
  assert.equal(refused.json().message, 'the connection pool of pg-busy is busy');
  assert.ok(waited >= WAIT_MS - 50 && waited < BOUND_MS, `waited ${waited} ms`);
  assert.equal((await holding).statusCode, 200, 'the run holding the connection is unaffected');
});

test('a connect timeout or pool wait above the statement timeout is a 400 naming it', async () => {
  for (const field of ['connect_timeout_ms', 'pool_wait_ms']) {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: admin(),
      payload: {
        name: `too-long-${field}`,
        driver: 'postgres',
        settings: { host: '127.0.0.1', [field]: 20_000 },
        statement_timeout_ms: 10_000,
      },
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, new RegExp(`"${field}".*statement_timeout_ms`));
  }
});

/** Each driver: hold the pool's one connection with an unfinished run, then ask for another. */
const targets: Array<{ driver: DriverName; ok: boolean; config: () => object; sql: string }> = [
  {
    driver: 'postgres',
    ok: pgOk,
    config: () => ({ url: db?.readerUrl }),
    sql: 'select n from generate_series(1, 10) n',
  },
  {
    driver: 'mysql',
    ok: mysqlOk,
    config: () => ({ url: mysqlUrl }),
    sql: 'select 1 as n union all select 2',
  },
  {
    driver: 'sqlite',
    ok: true,
    config: () => ({ file: path.join(t.dataDir, 'demo.sqlite') }),
    sql: 'select * from region',
  },
];

for (const target of targets) {
  describe(`pool busy: ${target.driver}`, { skip: !target.ok }, () => {
    let source: DataSource;
    const row = {
      id: 1,
      name: `${target.driver}-one`,
      updated_at: 'x',
      statement_timeout_ms: 5000,
      pool_size: 1,
    };
    const cache = dataSourceCache(() =>
      openDataSource(
        target.driver,
        { ...target.config(), pool_wait_ms: WAIT_MS },
        { poolSize: 1, statementTimeoutMs: 5000, name: row.name },
      ),
    );
    before(() => {
      source = cache.get(row as ConnectionRow);
    });
    after(() => cache.closeAll());
    const request: RunRequest = { sql: target.sql, values: [], timeoutMs: 5000, batchSize: 1 };

    test('refuses with 503 within the bound, counts it, and recovers', async () => {
      const held = source.run(request)[Symbol.asyncIterator]();
      assert.equal((await held.next()).done, false);
      assert.deepEqual(cache.poolStats(), [
        { connection: row.name, inUse: 1, idle: 0, waiting: 0, busyRefusals: 0 },
      ]);
      const started = Date.now();
      const error = await source
        .run(request)
        [Symbol.asyncIterator]()
        .next()
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof AppError, String(error));
      assert.equal(error.code, 'unavailable');
      assert.equal(error.message, `the connection pool of ${row.name} is busy`);
      assert.ok(Date.now() - started < BOUND_MS, `took ${Date.now() - started} ms`);
      await held.return?.();
      // mysql2 cannot drop a queued request: the refused one gets the connection and returns it.
      const stats = await settled(() => cache.poolStats()[0]);
      assert.equal(stats?.busyRefusals, 1);
      assert.equal(stats?.inUse, 0);
      assert.equal(stats?.waiting, 0);
      let rows = 0;
      for await (const batch of source.run(request)) rows += batch.rows.length;
      assert.ok(rows > 1, 'the pool serves runs again');
    });
  });
}

/** The value once nothing is in use or waiting, or after a second the last one seen. */
async function settled<T extends { inUse: number; waiting: number }>(read: () => T | undefined) {
  for (let tries = 0; tries < 20; tries++) {
    const value = read();
    if (value && value.inUse === 0 && value.waiting === 0) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}
