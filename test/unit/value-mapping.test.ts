/**
 * Decimal and timestamp text as the drivers hand it to value-mapping.ts: the shapes databases
 * print take a scan without regular expressions; every other shape must come out as before.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decimalFromText, timestampFromText } from '../../src/datasources/value-mapping.ts';

/** `-0012.3400` → `-12.34`: the decimal a number must print back as to be exact. */
function canonical(text: string): string {
  const [, sign = '', int = '', fraction = ''] = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text) ?? [];
  const whole = int.replace(/^0+(?=\d)/, '') || '0';
  const kept = fraction.replace(/0+$/, '');
  const unsigned = kept ? `${whole}.${kept}` : whole;
  return sign === '-' && unsigned !== '0' ? `-${unsigned}` : unsigned;
}

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Decimal text as PostgreSQL and MySQL print it, with scales and lengths around a double's limits. */
const decimalText = fc
  .tuple(fc.boolean(), digits(1, 20), fc.option(digits(0, 20), { nil: undefined }))
  .map(([negative, int, fraction]) => {
    const whole = int.replace(/^0+(?=\d)/, '');
    return `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`;
  });

describe('decimalFromText', () => {
  test('a number exactly when it prints back as the same decimal and is a safe integer or smaller', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const value = decimalFromText(text);
        const n = Number(text);
        const exact =
          Number.isFinite(n) &&
          Math.abs(n) <= Number.MAX_SAFE_INTEGER &&
          canonical(String(n)) === canonical(text);
        if (text.endsWith('.')) return; // `5.` has no canonical text here; see the examples below
        // Numbers this small print with an exponent; the examples below cover them.
        if (n !== 0 && Math.abs(n) < 1e-6) return;
        assert.deepEqual(value, exact ? n : text, text);
      }),
      { numRuns: 5000 },
    );
  });

  test('up to 15 significant digits is always a number', () => {
    fc.assert(
      fc.property(digits(1, 8), digits(0, 7), fc.boolean(), (int, fraction, negative) => {
        const text = `${negative ? '-' : ''}${int.replace(/^0+(?=\d)/, '')}.${fraction}0`;
        assert.equal(decimalFromText(text), Number(text), text);
      }),
    );
  });

  const examples: [string, number | string][] = [
    ['12345.6700', 12345.67],
    ['1000.00', 1000],
    ['0.50', 0.5],
    ['-0.00', -0],
    ['0', 0],
    ['0.0000001', 1e-7],
    ['-0.000000000000001', -1e-15],
    ['123456789012345', 123456789012345],
    ['9007199254740991', 9007199254740991],
    ['9007199254740993', '9007199254740993'],
    ['0.1000000000000000055511151231257827', '0.1000000000000000055511151231257827'],
    ['12345678901234567.5', '12345678901234567.5'],
    ['007', 7],
    ['.5', 0.5],
    ['5.', 5],
    ['+1.50', 1.5],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['1e5', '1e5'],
    ['', ''],
    ['-', '-'],
    ['1.2.3', '1.2.3'],
  ];
  for (const [text, expected] of examples) {
    test(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.ok(Object.is(decimalFromText(text), expected), `${String(decimalFromText(text))}`);
    });
  }
});

describe('timestampFromText', () => {
  /** The rule of SPEC §4.7 written out as a regular expression, as the mapping was first written. */
  const reference = (text: string) => {
    const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text);
    return m ? `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0')}` : text;
  };

  test('generated timestamps, well formed or not, map as the regular expression says', () => {
    const piece = fc.constantFrom('2024', '12024', '-', ' ', 'T', ':', '01', '1', '.', '123456', 'x', '59');
    const nearTimestamp = fc.string({ unit: piece, maxLength: 14 });
    const timestamp = fc
      .tuple(fc.date({ noInvalidDate: true }), fc.integer({ min: 0, max: 7 }), fc.constantFrom(' ', 'T'))
      .map(([date, places, separator]) => {
        const [day = '', time = ''] = date.toISOString().slice(0, 19).split('T');
        const fraction = places === 0 ? '' : `.${'123456789'.slice(0, places)}`;
        return `${day}${separator}${time}${fraction}`;
      });
    fc.assert(
      fc.property(fc.oneof(timestamp, nearTimestamp), (text) => {
        assert.equal(timestampFromText(text), reference(text), text);
      }),
      { numRuns: 5000 },
    );
  });

  test('PostgreSQL shapes: whole seconds padded, six places kept, longer fractions never rounded', () => {
    assert.equal(timestampFromText('2024-01-01 00:00:01'), '2024-01-01 00:00:01.000000');
    assert.equal(timestampFromText('2024-01-01 00:00:01.123456'), '2024-01-01 00:00:01.123456');
    assert.equal(timestampFromText('2024-01-01 00:00:01.5'), '2024-01-01 00:00:01.500000');
    assert.equal(timestampFromText('2024-01-01 00:00:01.1234567'), '2024-01-01 00:00:01.1234567');
    assert.equal(timestampFromText('2024-01-01 00:00:01 BC'), '2024-01-01 00:00:01 BC');
    assert.equal(timestampFromText('infinity'), 'infinity');
    assert.equal(timestampFromText('2024-01-01 0a:00:01'), '2024-01-01 0a:00:01');
  });
});
