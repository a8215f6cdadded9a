/**
 * SIGTERM on the real server process: readiness turns 503 first, then the listener closes, the
 * request in flight (a report sleeping on PostgreSQL) still completes, and the process exits 0.
 * A request that outlives SHUTDOWN_TIMEOUT_SECONDS is cut so the stop stays bounded.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import pg from 'pg';
import { postgresAdminUrl, postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const reachable = await postgresReachable();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh TCP connection per probe (no keep-alive pool), so "refused" means the listener is gone. */
type Probe = { refused: false; status: number; body: string } | { refused: true };

function probe(url: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ refused: false, status: response.statusCode ?? 0, body }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve({ refused: true });
      else reject(error);
    });
  });
}

async function addSlowReport(server: ServerProcess, slug: string, seconds: number) {
  const post = (path: string, body: object) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: server.adminHeader, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const connection = await post('/api/admin/connections/', {
    name: `pg-${slug}`,
    driver: 'postgres',
    settings: postgresReaderSettings,
    statement_timeout_ms: 60_000,
  });
  assert.equal(connection.status, 201, await connection.text());
  const report = await post('/api/admin/reports/', {
    name: slug,
    cluster: `pg-${slug}`,
    groups: ['*'],
    sql: `select pg_sleep(${seconds}) /* ${slug}_${process.pid} */, 1 as done`,
  });
  assert.equal(report.status, 201, await report.text());
}

/** Resolves once the report's statement is running on PostgreSQL, so the request is in flight. */
async function waitUntilRunning(marker: string) {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query(
        "select count(*)::int as n from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()",
        [`%${marker}%`],
      );
      if (rows[0].n > 0) return;
      await sleep(100);
    }
    throw new Error('the slow report never started');
  } finally {
    await client.end();
  }
}

describe('graceful shutdown', { skip: !reachable && 'PostgreSQL not reachable', concurrency: true }, () => {
  test('SIGTERM: readiness 503, listener closed, in-flight request completes, exit 0', async () => {
    const server = await startServerProcess({
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_SECONDS: '1.5',
      SHUTDOWN_TIMEOUT_SECONDS: '20',
    });
    try {
      await addSlowReport(server, 'slow_drain', 4);
      assert.deepEqual(await probe(`${server.url}/readyz`), {
        refused: false,
        status: 200,
        body: '{"ok":true,"store":"ok"}',
      });
      const inFlight = fetch(`${server.url}/api/call/slow_drain/`, {
        headers: { authorization: server.adminHeader },
      });
      await waitUntilRunning(`slow_drain_${process.pid}`);
      server.signal('SIGTERM');

      const seen: string[] = [];
      for (let i = 0; i < 100 && seen.at(-1) !== 'refused'; i++) {
        const answer = await probe(`${server.url}/readyz`);
        if (answer.refused) seen.push('refused');
        else {
          seen.push(String(answer.status));
          if (answer.status === 503) assert.equal(JSON.parse(answer.body).draining, true);
        }
        await sleep(100);
      }
      // Readiness went 503 while the listener was still open, and only then did it close.
      const order = seen.filter((entry, index) => entry !== seen[index - 1]);
      assert.deepEqual(order.slice(-2), ['503', 'refused'], seen.join(' '));

      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.deepEqual((await response.json()).records, [{ pg_sleep: '', done: 1 }]);
      assert.equal(await server.exited, 0, server.output());
      assert.match(server.output(), /shutting down: draining/);
      assert.match(server.output(), /"msg":"stopped"/);
      assert.doesNotMatch(server.output(), /cut off/, 'nothing had to be cut');
    } finally {
      await server.stop();
    }
  });

  test('a request that outlives SHUTDOWN_TIMEOUT_SECONDS is cut and the process still exits', async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'warn' });
    try {
      await addSlowReport(server, 'slow_cut', 60);
      const inFlight = fetch(`${server.url}/api/call/slow_cut/`, {
        headers: { authorization: server.adminHeader },
      }).then(
        (response) => response.text(),
        (error: Error) => `failed: ${error.message}`,
      );
      await waitUntilRunning(`slow_cut_${process.pid}`);
      const signalled = Date.now();
      server.signal('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
      assert.ok(Date.now() - signalled < 8000, `exit took ${Date.now() - signalled} ms`);
      assert.match(await inFlight, /^failed/);
      assert.match(server.output(), /work still running after 1 s was cut off/);
    } finally {
      await server.stop();
    }
  });
});
