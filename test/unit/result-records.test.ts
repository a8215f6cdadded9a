import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../src/datasources/driver.ts';
import { collectRecords, recordsJson, recordsOf } from '../../src/services/result-records.ts';

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

/** Column names, including those that change an object's keys: repeats, integer-like, `__proto__`. */
const columnName = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('id', 'name', '0', '1', '10', '01', '__proto__', 'constructor', 'toString', '"', '\u2028'),
);

test('JSON text of records, for any columns and values, is JSON.stringify of the records', () => {
  const value = fc.oneof(
    fc.jsonValue() as fc.Arbitrary<JsonValue>,
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('\ud800', 'a\udfffb', '\ud83d\ude00', '"\\', '\u0000\u001f\u007f\u2028', 'plain text'),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  fc.assert(
    fc.property(
      fc.array(
        columnName.map((name) => ({ name })),
        { maxLength: 6 },
      ),
      fc.array(fc.array(value, { maxLength: 7 }), { maxLength: 5 }),
      (cols, rows) => {
        const records = recordsOf(cols, rows);
        assert.equal(`[${recordsJson(cols)(rows)}]`, JSON.stringify(records));
        const lines = records.map((record) => `${JSON.stringify(record)}\n`).join('');
        assert.equal(recordsJson(cols, '\n')(rows), lines);
      },
    ),
    { numRuns: 3000 },
  );
});

test('JSON text of the benchmark shape: keys in column order, exact decimals as strings', () => {
  const cols = [{ name: 'id' }, { name: 'amount' }, { name: 'created' }, { name: 'flag' }];
  const rows: JsonValue[][] = [
    [1, '9007199254740993', '2024-01-01 00:00:01.000000', true],
    [2, 0.5, null],
  ];
  assert.equal(
    recordsJson(cols)(rows),
    '{"id":1,"amount":"9007199254740993","created":"2024-01-01 00:00:01.000000","flag":true},' +
      '{"id":2,"amount":0.5,"created":null,"flag":null}',
  );
});
