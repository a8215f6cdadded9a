/**
 * `balance` rotates per cluster: runs on one cluster do not move where another cluster's next
 * run starts. Real SQLite data sources answer; the stream names the member that did.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import type { DataSource } from '../../src/datasources/driver.ts';
import { openDataSource } from '../../src/datasources/registry.ts';
import { type ClusterMember, runBalanced } from '../../src/services/cluster-executor.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sr-rotation-'));
const file = path.join(dir, 'data.sqlite');
new SqliteDatabase(file).close();
const sources: DataSource[] = [];
after(async () => {
  await Promise.allSettled(sources.map((source) => source.close()));
  rmSync(dir, { recursive: true, force: true });
});

function member(name: string): ClusterMember {
  const source = openDataSource('sqlite', { file }, { poolSize: 1, statementTimeoutMs: 5000, name });
  sources.push(source);
  return { name, source, request: { sql: 'select 1 as one', values: [], timeoutMs: 5000 } };
}

/** Runs once on the cluster and returns the member that answered, reading the rows to the end. */
async function answered(members: ClusterMember[], cluster: number): Promise<string> {
  const stream = await runBalanced(members, undefined, cluster);
  for await (const _batch of stream.rows);
  return stream.connections.join(',');
}

test('two clusters alternate their members independently', async () => {
  const a = [member('a1'), member('a2')];
  const b = [member('b1'), member('b2')];
  // Unused cluster ids, so no other run in this process has turned them.
  const [clusterA, clusterB] = [910_001, 910_002];
  const seen = { a: [] as string[], b: [] as string[] };
  // An uneven interleaving: with one counter for all clusters, A's third run would repeat a2.
  for (const which of ['a', 'a', 'b', 'a', 'b', 'b'] as const) {
    seen[which].push(which === 'a' ? await answered(a, clusterA) : await answered(b, clusterB));
  }
  assert.deepEqual(seen.a, ['a1', 'a2', 'a1']);
  assert.deepEqual(seen.b, ['b1', 'b2', 'b1']);
});
