/**
 * The batch CSV encoder against csv-stringify, the library it replaced, set up as the exports
 * used it: for any rows, neutralised or raw, the text must be the same byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import type { JsonValue } from '../../src/datasources/driver.ts';
import { csvText } from '../../src/services/csv-encoder.ts';
import { opensFormula } from '../../src/services/csv-injection.ts';
import { csvHeader, csvLines } from '../../src/services/table-export.ts';

const csvBoolean = (value: boolean) => (value ? 'true' : 'false');
const holdsSeparator = (value: string) => value.includes(';') || value.includes('\t');
const libraryOptions = {
  raw: { cast: { boolean: csvBoolean } },
  neutralise: {
    cast: {
      boolean: csvBoolean,
      string: (value: string) => {
        if (opensFormula(value)) return { value: `'${value}`, quoted: true };
        return holdsSeparator(value) ? { value, quoted: true } : value;
      },
    },
  },
} as const;

/** What the exports wrote with csv-stringify: JSON values as their text, everything else cast by it. */
const library = (rows: JsonValue[][], cells: 'raw' | 'neutralise') =>
  rows.length === 0
    ? ''
    : stringify(
        rows.map((row) => row.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v))),
        libraryOptions[cells],
      );

/** Text made of what CSV and spreadsheets treat specially, mixed with arbitrary unicode. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      ',',
      '"',
      "'",
      ';',
      '\t',
      '\n',
      '\r',
      '\r\n',
      '=',
      '+',
      '-',
      '@',
      ' ',
      '\u00a0',
      '\uff1d',
      '5',
    ),
    fc.string({ unit: 'binary', maxLength: 2 }),
  ),
  maxLength: 12,
});

const json: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;
const value: fc.Arbitrary<JsonValue> = fc.oneof(
  hostileText,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  json,
);
const rows = fc.array(fc.array(value, { maxLength: 6 }), { maxLength: 8 });

describe('CSV encoder', () => {
  for (const cells of ['neutralise', 'raw'] as const) {
    test(`${cells}: any rows give csv-stringify's text`, () => {
      fc.assert(
        fc.property(rows, (batch) => assert.equal(csvText(batch, cells), library(batch, cells))),
        { numRuns: 3000 },
      );
    });
  }

  test('a header line is the column names as cells', () => {
    const columns = [
      { name: '=cmd', type: 'text' },
      { name: 'a,b', type: 'text' },
      { name: 'x', type: 'int4' },
    ];
    assert.equal(csvHeader(columns), `"'=cmd","a,b",x\n`);
    assert.equal(csvHeader(columns, 'raw'), `=cmd,"a,b",x\n`);
  });

  test('the values of the benchmark table, one line per row', () => {
    const batch: JsonValue[][] = [
      [1, 'customer 1', 0.01, '2024-01-01 00:00:01.000000', false],
      [2, 'customer "2"', 1000, '2024-01-01 00:00:02.000000', true],
      [3, null, -5, '', true],
    ];
    const expected =
      '1,customer 1,0.01,2024-01-01 00:00:01.000000,false\n' +
      '2,"customer ""2""",1000,2024-01-01 00:00:02.000000,true\n' +
      '3,,-5,,true\n';
    assert.equal(csvLines(batch), expected);
    assert.equal(csvLines([]), '');
  });
});
