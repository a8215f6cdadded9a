/**
 * A consolidate or distribute run that is stopped early (the consumer breaks off, the preview's
 * row cap) gives back EVERY member's pooled connection, on real PostgreSQL with one connection
 * per pool: the next runs complete promptly and no backend is left "idle in transaction".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { DataSource } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { type ClusterMember, strategies } from '../../src/services/cluster-executor.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const pgOk = await postgresReachable();

/** Each member returns more rows than one batch, so an early stop leaves every cursor open. */
const SQL = 'select n from generate_series(1, 3000) as n';
const PROMPT_MS = 4000;

describe('early stop releases every member', { skip: !pgOk }, () => {
  let db: { url: string; readerUrl: string; drop(): Promise<void> };
  let sources: DataSource[] = [];
  let t: TestApp;

  before(async () => {
    db = await createPostgresDatabase('sr_release');
    sources = ['a', 'b'].map(() =>
      openDataSource('postgres', { url: db.readerUrl }, { poolSize: 1, statementTimeoutMs: 10_000 }),
    );
    t = await createTestApp();
    for (const name of ['pg-a', 'pg-b']) {
      const response = await t.app.server.inject({
        method: 'POST',
        url: '/api/admin/connections/',
        headers: { authorization: t.adminHeader },
        payload: { name, driver: 'postgres', settings: { url: db.readerUrl }, pool_size: 1 },
      });
      assert.equal(response.statusCode, 201, response.body);
    }
    const cluster = await t.app.server.inject({
      method: 'PUT',
      url: '/api/admin/clusters/pair/',
      headers: { authorization: t.adminHeader },
      payload: { connections: ['pg-a', 'pg-b'] },
    });
    assert.ok(cluster.statusCode < 300, cluster.body);
  });
  after(async () => {
    await Promise.allSettled(sources.map((source) => source.close()));
    await t?.close();
    await db?.drop();
  });

  const members = (): ClusterMember[] =>
    sources.map((source, index) => ({
      name: `m${index}`,
      source,
      request: { sql: SQL, values: [], timeoutMs: 10_000, batchSize: 500 },
    }));

  /** Runs to the end within PROMPT_MS; a leaked connection would make it wait for the pool. */
  async function completesPromptly(strategy: 'consolidate' | 'distribute') {
    const started = Date.now();
    const stream = await strategies[strategy](members());
    let count = 0;
    for await (const batch of stream.rows) count += batch.length;
    assert.equal(count, 6000);
    assert.ok(Date.now() - started < PROMPT_MS, `took ${Date.now() - started} ms`);
  }

  for (const strategy of ['distribute', 'consolidate'] as const) {
    test(`${strategy}: breaking off after the first batch`, async () => {
      const stream = await strategies[strategy](members());
      for await (const batch of stream.rows) {
        assert.ok(batch.length > 0);
        break;
      }
      await completesPromptly(strategy);
      await completesPromptly(strategy);
      assert.equal(await idleInTransaction(db.url), 0);
    });
  }

  test('distribute: the preview row cap over HTTP', async () => {
    const preview = () =>
      t.app.server.inject({
        method: 'POST',
        url: '/api/admin/reports/preview/',
        headers: { authorization: t.adminHeader },
        payload: {
          report: { name: 'Pair', cluster: 'pair', strategy: 'distribute', groups: ['*'], sql: SQL },
        },
      });
    for (let run = 0; run < 3; run++) {
      const started = Date.now();
      const response = await preview();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().records.length, 1000);
      assert.match(response.json().message, /first 1000 rows/);
      assert.ok(Date.now() - started < PROMPT_MS, `run ${run} took ${Date.now() - started} ms`);
    }
    assert.equal(await idleInTransaction(db.url), 0);
  });
});

/** Backends of this server's pools on the test database that hold a transaction open. */
async function idleInTransaction(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Cleanup after an early stop runs right after the consumer leaves; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { rows } = await client.query(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = 'secure-reporter'
          and state like 'idle in transaction%'`,
    );
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}
