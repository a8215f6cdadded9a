/**
 * A statement past its timeout, or whose run is aborted (a client hung up), must stop ON THE
 * DATABASE SERVER, not merely be forgotten by Node. The server's own activity view is the
 * witness: pg_stat_activity, information_schema.processlist. Each statement carries a unique
 * marker so it can be found there.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { collect, targets } from '../helpers/driver-targets.ts';

/** Polls until the check holds; fails with `what` after `ms`. */
async function waitUntil(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

for (const target of targets) {
  const notice = await target.unavailable();
  const hasServer = target.driver !== 'sqlite';

  describe(`cancellation: ${target.driver}`, { skip: notice ?? false }, () => {
    let ds: DataSource;
    before(async () => {
      await target.setup([]);
      // One connection: every follow-up query proves the previous one left it clean and free.
      ds = openDataSource(target.driver, target.config, { poolSize: 1, statementTimeoutMs: 10_000 });
    });
    after(async () => {
      await ds?.close();
      await target.teardown();
    });

    const followUp = async () => {
      const { rows } = await collect(ds, { sql: 'select 42 as answer', values: [], timeoutMs: 5000 });
      assert.deepEqual(rows, [[42]]);
    };

    it('cancels a statement past its timeout on the server', async () => {
      const marker = `sr-timeout-${randomUUID()}`;
      const started = Date.now();
      await assert.rejects(
        collect(ds, { sql: target.sleep(5, marker), values: [], timeoutMs: 500 }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'timeout' &&
          error.message === 'The query ran longer than the statement timeout of 0.5 s and was cancelled',
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 450 && elapsed < 2000, `took ${elapsed} ms`);
      await waitUntil(async () => (await target.activeQueries(marker)) === 0, 1000, 'the server stopped it');
      await followUp();
    });

    it('cancels the statement on the server when the signal aborts', async () => {
      const marker = `sr-abort-${randomUUID()}`;
      const controller = new AbortController();
      const running = collect(ds, {
        sql: target.sleep(5, marker),
        values: [],
        timeoutMs: 30_000,
        signal: controller.signal,
      });
      running.catch(() => {});
      if (hasServer) {
        // The marker must be visible first, or the "gone" check below would prove nothing.
        await waitUntil(async () => (await target.activeQueries(marker)) === 1, 3000, 'the server runs it');
      } else {
        await sleep(100);
      }
      const aborted = Date.now();
      controller.abort();
      await assert.rejects(running, isAbort);
      const elapsed = Date.now() - aborted;
      assert.ok(elapsed < 1500, `took ${elapsed} ms to stop`);
      await waitUntil(async () => (await target.activeQueries(marker)) === 0, 1000, 'the server stopped it');
      await followUp();
    });

    it('refuses to start when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(
        collect(ds, { sql: 'select 1', values: [], timeoutMs: 5000, signal: controller.signal }),
        isAbort,
      );
      await followUp();
    });

    it('counts the time a slow consumer takes against the timeout', async () => {
      const started = Date.now();
      await assert.rejects(
        (async () => {
          const run = ds.run({ sql: target.series(20_000), values: [], timeoutMs: 400, batchSize: 100 });
          for await (const _batch of run) await sleep(50);
        })(),
        (error: unknown) => error instanceof AppError && error.code === 'timeout',
      );
      assert.ok(Date.now() - started < 2000);
      await followUp();
    });

    it('aborts between batches while the consumer is reading', async () => {
      const controller = new AbortController();
      let batches = 0;
      await assert.rejects(
        (async () => {
          const run = ds.run({
            sql: target.series(20_000),
            values: [],
            timeoutMs: 30_000,
            batchSize: 100,
            signal: controller.signal,
          });
          for await (const _batch of run) {
            if (++batches === 3) controller.abort();
          }
        })(),
        isAbort,
      );
      assert.equal(batches, 3);
      await followUp();
    });
  });
}
