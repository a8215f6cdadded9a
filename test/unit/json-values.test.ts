/** JSON column text → records (SPEC §4.7): numbers inside JSON follow the column rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonFromText } from '../../src/datasources/value-mapping.ts';

test('integers beyond 2^53 inside JSON keep every digit, as strings', () => {
  assert.deepEqual(jsonFromText('{"a":[9007199254740993,-12345678901234567890,9007199254740991]}'), {
    a: ['9007199254740993', '-12345678901234567890', 9007199254740991],
  });
});

test('decimals are numbers when a double holds them, else their text', () => {
  assert.deepEqual(jsonFromText('[0.1,12345678901234567.5,1.10,2.5e3,1e400,1234567890.123456]'), [
    0.1,
    '12345678901234567.5',
    1.1,
    2500,
    '1e400',
    1234567890.123456,
  ]);
});

test('short numbers take the fast path with the same result; strings are never touched', () => {
  assert.deepEqual(jsonFromText('{"n":42,"s":"12345678901234567890","e":"1e5"}'), {
    n: 42,
    s: '12345678901234567890',
    e: '1e5',
  });
});

test('duplicate keys (PostgreSQL json keeps them) resolve to the last, as JSON.parse does', () => {
  assert.deepEqual(jsonFromText('{"a":1,"a":12345678901234567890}'), { a: 12345678901234567000 });
});

test('text that is not JSON stays text', () => {
  assert.equal(jsonFromText('{not json'), '{not json');
});
