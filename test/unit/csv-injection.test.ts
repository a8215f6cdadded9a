/**
 * The CSV injection rule (src/services/csv-injection.ts) value by value, and the CSV it gives
 * byte for byte, including the two examples of the OWASP "CSV Injection" page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutraliseCell, opensFormula } from '../../src/services/csv-injection.ts';
import { csvHeader, csvLines } from '../../src/services/table-export.ts';

describe('opensFormula', () => {
  const formulas = [
    '=1+2',
    '+1+2',
    '-2+3',
    '@SUM(A1:A9)',
    '\t1',
    '\r1',
    '\tplain',
    ' =1+2',
    '\u00a0=1',
    '\n=1',
    '\u200b=1',
    '"=1',
    "'=1",
    ` "' @x`,
    '\uff1d1+2',
    '\uff0b1',
    '\uff0d1',
    '\uff20x',
    '-',
    '=',
    ' -5',
    '-5 ',
    '--5',
    '-Infinity',
    '-1+2',
    '-0x1F',
  ];
  for (const text of formulas) {
    test(`${JSON.stringify(text)} could start a formula`, () => assert.equal(opensFormula(text), true));
  }
  const safe = [
    '',
    'plain',
    '42',
    '1=1',
    'a;=1',
    ' ',
    '"quoted"',
    "it's",
    '-5',
    '+5',
    '-0.25',
    '-1e-7',
    '-.5',
    '5.',
  ];
  for (const text of safe) {
    test(`${JSON.stringify(text)} cannot`, () => assert.equal(opensFormula(text), false));
  }
  test('neutraliseCell puts a single quote before a formula start only', () => {
    assert.equal(neutraliseCell('=1+2'), "'=1+2");
    assert.equal(neutraliseCell('-5'), '-5');
    assert.equal(neutraliseCell('plain'), 'plain');
  });
});

describe('CSV cells', () => {
  test('the OWASP examples are escaped exactly as the OWASP page shows', () => {
    assert.equal(csvLines([['=1+2";=1+2']]), `"'=1+2"";=1+2"\n`);
    assert.equal(csvLines([[`=1+2'" ;,=1+2`]]), `"'=1+2'"" ;,=1+2"\n`);
  });

  test('a neutralised cell is quoted even when it holds no separator', () => {
    assert.equal(csvLines([['=1', '@x', '\t1', ' +1']]), `"'=1","'@x","'\t1","' +1"\n`);
  });

  test('typed numbers and plain numeric text stay numbers; booleans, JSON and NULL as before', () => {
    assert.equal(
      csvLines([[-5, '-5', -0.5, '-9007199254740993', true, null, { a: '=1' }, ['-1']]]),
      `-5,-5,-0.5,-9007199254740993,true,,"{""a"":""=1""}","[""-1""]"\n`,
    );
  });

  test('a cell holding ; or a tab is quoted, so no locale can split it into a formula cell', () => {
    assert.equal(csvLines([['a;=1', 'b\t=1', 'c=1']]), `"a;=1","b\t=1",c=1\n`);
  });

  test('header cells are neutralised like values', () => {
    const columns = ['=cmd', 'plain', '-x', '@y'].map((name) => ({ name, type: 'text' }));
    assert.equal(csvHeader(columns), `"'=cmd",plain,"'-x","'@y"\n`);
    assert.equal(csvHeader(columns, 'raw'), '=cmd,plain,-x,@y\n');
  });

  test('raw cells are the values exactly, with RFC 4180 quoting only', () => {
    assert.equal(
      csvLines([['=1+2";=1+2', '@x', '\t1', 'a;b', -5, '-5']], 'raw'),
      `"=1+2"";=1+2",@x,\t1,a;b,-5,-5\n`,
    );
  });
});
