/**
 * XLSX downloads: the file is parsed back with exceljs and compared cell by cell with the JSON
 * run of the same report; panel reports give one worksheet per section; 100k rows stream out.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { RunOutput } from '../../src/services/report-runner.ts';
import { exportRun, xlsxSink } from '../../src/services/table-export.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let t: TestApp;

before(async () => {
  t = await createTestApp();
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader },
    payload: {
      name: 'Hundred thousand',
      cluster: 'demo',
      groups: ['numbers'],
      sql: "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000) select i, 'row ' || i as label, i * 0.5 as half from n",
    },
  });
  assert.equal(created.statusCode, 201, created.body);
});
after(() => t.close());

async function workbookOf(body: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook;
}

const download = (url: string, headers: Record<string, string> = {}) =>
  t.app.server.inject({ method: 'GET', url, headers: { authorization: t.adminHeader, ...headers } });

describe('XLSX export', () => {
  test('/xlsx/ gives an attachment whose cells equal the JSON records, header bold', async () => {
    const response = await download('/api/call/orders-by-status/xlsx/?_from=2022-01-01');
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], XLSX);
    assert.equal(response.headers['content-disposition'], 'attachment; filename="orders-by-status.xlsx"');
    const records = (await download('/api/call/orders-by-status/?_from=2022-01-01')).json().records;
    assert.ok(records.length > 10);
    const workbook = await workbookOf(response.rawPayload);
    assert.equal(workbook.worksheets.length, 1);
    const sheet = workbook.worksheets[0]!;
    const columns = Object.keys(records[0]);
    const header = sheet.getRow(1);
    assert.deepEqual(
      columns.map((_c, i) => header.getCell(i + 1).value),
      columns,
    );
    assert.equal(header.font?.bold, true);
    assert.equal(sheet.rowCount, records.length + 1);
    records.forEach((record: Record<string, unknown>, r: number) => {
      const row = sheet.getRow(r + 2);
      columns.forEach((column, c) => {
        const cell = row.getCell(c + 1).value;
        assert.deepEqual(cell, record[column] ?? null, `row ${r + 2} column ${column}`);
      });
    });
    // Numbers stay numbers, dates stay record-format text.
    const numeric = columns.find((column) => typeof records[0][column] === 'number');
    assert.ok(numeric);
    assert.equal(typeof sheet.getRow(2).getCell(columns.indexOf(numeric) + 1).value, 'number');
  });

  test('the XLSX media type in Accept picks XLSX too', async () => {
    const response = await download('/api/call/customer-by-id/?_id=7', { accept: XLSX });
    assert.equal(response.headers['content-type'], XLSX);
    const sheet = (await workbookOf(response.rawPayload)).worksheets[0]!;
    assert.equal(sheet.getRow(2).getCell(1).value, 7);
  });

  test('a panel report gives one worksheet per section', async () => {
    const response = await download('/api/call/sales-overview/xlsx/');
    assert.equal(response.statusCode, 200, response.body);
    const sections = (await download('/api/call/sales-overview/')).json().records;
    const workbook = await workbookOf(response.rawPayload);
    assert.deepEqual(
      workbook.worksheets.map((sheet) => sheet.name),
      sections.map((section: { title: string }) => section.title),
    );
    assert.equal(workbook.worksheets[1]!.rowCount, sections[1].records.length + 1);
  });

  test('a token without the report group gets 403 in the envelope, not a file', async () => {
    const outsider = await createToken(t, 'xlsx-outsider', ['other']);
    const response = await t.app.server.inject({
      url: '/api/call/hundred-thousand/xlsx/',
      headers: { authorization: outsider },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().ok, false);
  });

  test('a bad parameter answers the error envelope, not a broken file', async () => {
    const response = await download('/api/call/orders-by-status/xlsx/?_from=not-a-date');
    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /"_from"/);
  });

  test('100,000 rows stream into one sheet', async () => {
    const response = await download('/api/call/hundred-thousand/xlsx/');
    assert.equal(response.statusCode, 200, response.body);
    const sheet = (await workbookOf(response.rawPayload)).worksheets[0]!;
    assert.equal(sheet.rowCount, 100_001);
    const last = sheet.getRow(100_001);
    assert.deepEqual(
      [last.getCell(1).value, last.getCell(2).value, last.getCell(3).value],
      [100000, 'row 100000', 50000],
    );
  });
});

describe('XLSX cell types', () => {
  test('booleans, JSON, big integers as text, timestamps as text, null as an empty cell', async () => {
    const output: RunOutput = {
      kind: 'table',
      report: { name: 'Types', slug: 'types' } as RunOutput['report'],
      columns: ['flag', 'doc', 'big', 'at', 'day', 'nothing', 'n'].map((name) => ({ name, type: 'x' })),
      rows: (async function* () {
        yield [
          [true, { a: [1, 'b'] }, '9007199254740993', '2025-01-02 03:04:05.123456', '2025-01-02', null, 1.5],
        ];
        yield [[false, [1, 2], '1', '2025-01-02 03:04:05.000000+02:00', '2025-12-31', null, -2]];
      })(),
    };
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    assert.equal(await exportRun(output, [xlsxSink(out)]), 2);
    const sheet = (await workbookOf(Buffer.concat(chunks))).worksheets[0]!;
    const values = (r: number) => Array.from({ length: 7 }, (_v, c) => sheet.getRow(r).getCell(c + 1).value);
    assert.deepEqual(values(2), [
      true,
      '{"a":[1,"b"]}',
      '9007199254740993',
      '2025-01-02 03:04:05.123456',
      '2025-01-02',
      null,
      1.5,
    ]);
    assert.deepEqual(values(3), [
      false,
      '[1,2]',
      '1',
      '2025-01-02 03:04:05.000000+02:00',
      '2025-12-31',
      null,
      -2,
    ]);
    assert.equal(sheet.name, 'Types');
  });
});

describe('XLSX sink', () => {
  test('tables opened without rows keep their order and headers, and names stay unique', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = xlsxSink(out);
    // Two tables before any rows: both are opened by the call that loads exceljs.
    sink.table('Empty', [{ name: 'a', type: 'x' }]);
    sink.table('Empty', [{ name: 'b', type: 'x' }]);
    await sink.rows([[1]]);
    sink.table('Last', [{ name: 'c', type: 'x' }]);
    await sink.end();
    const sheets = (await workbookOf(Buffer.concat(chunks))).worksheets;
    assert.deepEqual(
      sheets.map((sheet) => [sheet.name, sheet.getRow(1).getCell(1).value, sheet.rowCount]),
      [
        ['Empty', 'a', 1],
        ['Empty (2)', 'b', 2],
        ['Last', 'c', 1],
      ],
    );
  });
});
