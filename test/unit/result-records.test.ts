import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../src/datasources/driver.ts';
import { collectRecords, recordsOf } from '../../src/services/result-records.ts';

const columns = [{ name: 'id' }, { name: 'name' }, { name: 'id' }];

/** Batches of rows that count how many batches were read, like a statement's cursor. */
function stream(batches: JsonValue[][][]) {
  const read = { batches: 0 };
  const rows = (async function* () {
    for (const batch of batches) {
      read.batches++;
      yield batch;
    }
  })();
  return { rows, read };
}

test('records are keyed by column name; a later column of the same name wins; missing cells are null', () => {
  assert.deepEqual(recordsOf(columns, [[1, 'a', 2], [3]]), [
    { id: 2, name: 'a' },
    { id: null, name: null },
  ]);
});

test('a stream is read whole into records when no limit is given', async () => {
  const { rows } = stream([
    [[1, 'a', 1]],
    [
      [2, 'b', 2],
      [3, 'c', 3],
    ],
  ]);
  const { records, cut } = await collectRecords(columns, rows);
  assert.deepEqual(
    records.map((record) => record.name),
    ['a', 'b', 'c'],
  );
  assert.equal(cut, false);
});

test('with a limit, reading stops at the first batch past it and says rows were cut', async () => {
  const { rows, read } = stream([
    [
      [1, 'a', 1],
      [2, 'b', 2],
    ],
    [[3, 'c', 3]],
    [[4, 'd', 4]],
  ]);
  const { records, cut } = await collectRecords(columns, rows, 2);
  assert.deepEqual(
    records.map((record) => record.id),
    [1, 2],
  );
  assert.equal(cut, true);
  assert.equal(read.batches, 2, 'the third batch is never read');
});

test('exactly the limit is not a cut', async () => {
  const { rows } = stream([
    [
      [1, 'a', 1],
      [2, 'b', 2],
    ],
  ]);
  assert.equal((await collectRecords(columns, rows, 2)).cut, false);
});
