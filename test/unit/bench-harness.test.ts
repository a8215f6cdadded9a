import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBaselineServer } from '../../bench/baseline-server.ts';
import { createItemDatabase, ITEM_GROUP, ITEM_ID, ROWS_PER_GROUP } from '../../bench/bench-data.ts';
import { spread } from '../../bench/bench-stats.ts';
import { startFastifyFloor } from '../../bench/fastify-floor-server.ts';

test('spread gives min, median and max, the median of an even count halfway', () => {
  assert.deepEqual(spread([5, 1, 3, 2, 4]), { min: 1, median: 3, max: 5 });
  assert.deepEqual(spread([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4 });
  assert.ok(Number.isNaN(spread([]).median));
});

test('both floors answer the same envelope and rows for the one-row and 50-row statements', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floors-'));
  const dbFile = join(dir, 'items.sqlite');
  createItemDatabase(dbFile);
  const fastify = await startFastifyFloor(dbFile, 0);
  const nodeHttp = await startBaselineServer(dbFile, 0);
  try {
    for (const [path, rows] of [
      [`/item?id=${ITEM_ID}`, 1],
      [`/items?grp=${ITEM_GROUP}`, ROWS_PER_GROUP],
    ] as const) {
      const [a, b] = await Promise.all(
        [fastify.url, nodeHttp.url].map(async (url) => (await fetch(`${url}${path}`)).json()),
      );
      assert.deepEqual(a, b);
      const body = a as { message: string; ok: boolean; records: { id: number; grp: number }[] };
      assert.equal(body.ok, true);
      assert.equal(body.records.length, rows);
      assert.deepEqual(Object.keys(body.records[0] ?? {}), ['id', 'grp', 'name', 'amount']);
    }
    assert.equal((await fetch(`${fastify.url}/item?id=x`)).status, 400);
    assert.equal((await fetch(`${nodeHttp.url}/item?id=x`)).status, 400);
  } finally {
    await Promise.all([fastify.close(), nodeHttp.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
