/**
 * How a strategy run listens to its callers' signals: aborting the caller's signal stops every
 * member, and once the run ends — read to the end, or failed while opening — nothing stays
 * registered on that signal (a schedule's signal outlives many runs). Real SQLite data sources.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { DataSource } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { type ClusterMember, strategies } from '../../src/services/cluster-executor.ts';

describe('cluster runs and the callers\u2019 abort signals', () => {
  let dir: string;
  let sources: DataSource[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sr-abort-wiring-'));
    const file = join(dir, 'n.db');
    const db = new Database(file);
    db.exec('create table n (v integer)');
    const insert = db.prepare('insert into n values (?)');
    db.transaction(() => {
      for (let v = 1; v <= 5000; v++) insert.run(v);
    })();
    db.close();
    sources = ['a', 'b'].map(() =>
      openDataSource('sqlite', { file }, { poolSize: 1, statementTimeoutMs: 10_000 }),
    );
  });
  after(async () => {
    await Promise.all(sources.map((source) => source.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const members = (signal: AbortSignal, sql = 'select v from n'): ClusterMember[] =>
    sources.map((source, index) => ({
      name: `m${index}`,
      source,
      request: { sql, values: [], timeoutMs: 10_000, batchSize: 100, signal },
    }));

  for (const strategy of ['balance', 'consolidate', 'distribute'] as const) {
    test(`${strategy}: read to the end, it leaves no listener on the caller's signal`, async () => {
      const caller = new AbortController();
      const stream = await strategies[strategy](members(caller.signal));
      assert.ok(getEventListeners(caller.signal, 'abort').length > 0, 'the run listens while it runs');
      let rows = 0;
      for await (const batch of stream.rows) rows += batch.length;
      assert.equal(rows, strategy === 'balance' ? 5000 : 10_000);
      assert.equal(getEventListeners(caller.signal, 'abort').length, 0);
    });

    test(`${strategy}: a run that fails to open leaves no listener either`, async () => {
      const caller = new AbortController();
      await assert.rejects(strategies[strategy](members(caller.signal, 'select nope from n')));
      assert.equal(getEventListeners(caller.signal, 'abort').length, 0);
    });

    test(`${strategy}: aborting the caller's signal stops the run with its reason`, async () => {
      const caller = new AbortController();
      const stream = await strategies[strategy](members(caller.signal));
      const reason = new Error('the caller left');
      let rows = 0;
      await assert.rejects(
        (async () => {
          for await (const batch of stream.rows) {
            rows += batch.length;
            if (rows >= 200) caller.abort(reason);
          }
        })(),
        (error: unknown) => error === reason,
      );
      assert.ok(rows < 5000, `stopped early, after ${rows} rows`);
      assert.equal(getEventListeners(caller.signal, 'abort').length, 0);
    });
  }
});
