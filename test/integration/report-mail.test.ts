/**
 * `/report/mail/<report>/` against a real SMTP server on 127.0.0.1: the message that arrives is
 * read back (headers, HTML, attachments); recipients, groups and escaping are enforced.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { contextFor, internalContext } from '../../src/services/request-context.ts';
import { header, mimeParts, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let smtp: SmtpSink;
let alice: { cookie: string; csrf: string };
let salesToken = '';
let outsiderToken = '';

const admin = () => ({ authorization: t.adminHeader });

async function adminPost(url: string, payload: object) {
  const response = await t.app.server.inject({ method: 'POST', url, headers: admin(), payload });
  assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
}

async function signIn(email: string) {
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse battery staple' },
  });
  assert.equal(response.statusCode, 200, response.body);
  const cookie = response.cookies.find((c) => c.name === 'sr_session');
  assert.ok(cookie);
  return { cookie: `sr_session=${cookie.value}`, csrf: response.json().records[0].csrf_token as string };
}

const mail = (report: string, form: string, headers: Record<string, string>) =>
  t.app.server.inject({
    method: 'POST',
    url: `/report/mail/${report}/`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form,
  });
const asAlice = () => ({ cookie: alice.cookie, 'x-csrf-token': alice.csrf });

before(async () => {
  smtp = await startSmtpSink();
  t = await createTestApp({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Reports <reports@example.com>',
    CUSTOM_MAIL_DOMAINS: 'allowed.example',
  });
  await adminPost('/api/admin/users/', {
    email: 'alice@example.com',
    password: 'correct horse battery staple',
  });
  await adminPost('/api/admin/group-lists/', { name: 'sales', description: 'Sales' });
  await adminPost('/api/admin/group-lists/sales/members/', { email: 'alice@example.com' });
  await adminPost('/api/admin/reports/', {
    name: 'Regions',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'select id, name from region where id <= :_max order by id',
    fields: [{ name: '_max', type: 'integer', default: 3 }],
  });
  await adminPost('/api/admin/reports/', {
    name: 'Hostile cells',
    cluster: 'demo',
    groups: ['sales'],
    sql: "select '<script>alert(1)</script>' as payload, 'Tom & \"Jerry\"' as quoted",
  });
  await adminPost('/api/admin/reports/', {
    name: 'Many rows',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 1500) select i from n',
  });
  await adminPost('/api/admin/reports/', {
    name: 'Nothing',
    cluster: 'demo',
    groups: ['sales'],
    sql: 'select id from region where 1 = 0',
  });
  alice = await signIn('alice@example.com');
  salesToken = await createToken(t, 'mail-sales', ['sales']);
  outsiderToken = await createToken(t, 'mail-outsider', ['other']);
});
after(async () => {
  await t.close();
  await smtp.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

describe('POST /report/mail/<report>/', () => {
  test('a user mails a report to their own address with a CSV attachment', async () => {
    const response = await mail(
      'regions',
      '_max=2&_mail_subject=Weekly%20regions&_mail_attach=csv',
      asAlice(),
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      message: '',
      ok: true,
      records: [{ sent: true, rows: 2, to: ['alice@example.com'] }],
    });
    assert.equal(smtp.messages.length, 1);
    const message = smtp.messages[0]!;
    assert.deepEqual(message.envelopeTo, ['alice@example.com']);
    assert.equal(message.envelopeFrom, 'reports@example.com');
    const parts = mimeParts(message.raw);
    const top = message.raw.slice(0, message.raw.indexOf('\r\n\r\n'));
    assert.equal(header(top, 'from'), 'Reports <reports@example.com>');
    assert.equal(header(top, 'to'), 'alice@example.com');
    assert.equal(header(top, 'subject'), 'Weekly regions');
    const html = parts.find((part) => part.contentType.startsWith('text/html'));
    assert.ok(html);
    assert.match(html.text, /<th[^>]*>id<\/th><th[^>]*>name<\/th>/);
    assert.equal((html.text.match(/<tr><td/g) ?? []).length, 2);
    const csv = parts.find((part) => part.filename === 'regions.csv');
    assert.ok(csv, 'CSV attachment');
    assert.match(csv.contentType, /^text\/csv/);
    const expected = await t.app.server.inject({ url: '/api/call/regions/csv/?_max=2', headers: admin() });
    assert.equal(csv.text, expected.body);
    assert.equal(csv.text.split('\n')[0], 'id,name');
  });

  test('a token mails to an allowed domain; the send is audited', async () => {
    const response = await mail('regions', '_mail_to=Boss@allowed.example,team@allowed.example', {
      authorization: salesToken,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records[0].to, ['Boss@allowed.example', 'team@allowed.example']);
    assert.deepEqual(smtp.messages[0]?.envelopeTo, ['Boss@allowed.example', 'team@allowed.example']);
    assert.equal(mimeParts(smtp.messages[0]!.raw).filter((part) => part.filename).length, 0);
    const audits = await t.app.services.audit.search(internalContext('admin'), {
      action: 'report.mail',
      limit: 10,
    });
    const record = audits.find((a) => a.principal === 'mail-sales');
    assert.ok(record);
    // The record names the report (column and details) and carries the request's client and id.
    assert.equal(record.report, 'regions');
    assert.equal((record.params as { name: string }).name, 'Regions');
    assert.equal(record.request_id, response.headers['x-request-id']);
    assert.ok(record.client);
    assert.deepEqual((record.params as { to: string[] }).to, [
      'Boss@allowed.example',
      'team@allowed.example',
    ]);
  });

  test('an external recipient is refused with a 400 naming it, and nothing is sent', async () => {
    const response = await mail('regions', '_mail_to=alice@example.com,evil@elsewhere.com', asAlice());
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().ok, false);
    assert.match(response.json().message, /"evil@elsewhere\.com"/);
    const token = await mail('regions', '_mail_to=alice@example.com', { authorization: salesToken });
    assert.equal(token.statusCode, 400, 'a token has no own address');
    assert.match(token.json().message, /"alice@example\.com"/);
    const injected = await mail(
      'regions',
      `_mail_to=${encodeURIComponent('a@allowed.example\r\nBcc: x@evil.com')}`,
      {
        authorization: salesToken,
      },
    );
    assert.equal(injected.statusCode, 400);
    assert.equal(smtp.messages.length, 0);
  });

  test('a token without the report group gets 403 and nothing is sent', async () => {
    const response = await mail('regions', '_mail_to=team@allowed.example', { authorization: outsiderToken });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().ok, false);
    assert.equal(smtp.messages.length, 0);
  });

  test('cell values arrive HTML-escaped', async () => {
    const response = await mail('hostile-cells', '', asAlice());
    assert.equal(response.statusCode, 200, response.body);
    const html = mimeParts(smtp.messages[0]!.raw).find((part) => part.contentType.startsWith('text/html'));
    assert.ok(html);
    assert.ok(html.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.text.includes('Tom &amp; &quot;Jerry&quot;'));
    assert.ok(!html.text.includes('<script'));
  });

  test('the inline table stops at 1000 rows; the XLSX attachment holds all of them', async () => {
    const response = await mail('many-rows', '_mail_attach=xlsx', asAlice());
    assert.equal(response.json().records[0].rows, 1500);
    const parts = mimeParts(smtp.messages[0]!.raw);
    const html = parts.find((part) => part.contentType.startsWith('text/html'));
    assert.equal((html?.text.match(/<tr><td/g) ?? []).length, 1000);
    assert.match(html?.text ?? '', /first 1,000 of 1,500 rows; the attached many-rows\.xlsx holds them all/);
    const xlsx = parts.find((part) => part.filename === 'many-rows.xlsx');
    assert.ok(xlsx);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.rowCount, 1501);
    assert.equal(sheet.getRow(1501).getCell(1).value, 1500);
  });

  test('bad mail options are 400s: an unknown _mail_ name, a bad attachment type', async () => {
    const unknown = await mail('regions', '_mail_too=x', asAlice());
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /_mail_too/);
    const attach = await mail('regions', '_mail_attach=pdf', asAlice());
    assert.equal(attach.statusCode, 400);
    assert.match(attach.json().message, /_mail_attach/);
    assert.equal(smtp.messages.length, 0);
  });
});

describe('mailService.sendRun', () => {
  test('skipIfEmpty sends nothing for an empty run; without it the mail says "No rows"', async () => {
    const [name, secret] = Buffer.from(salesToken.replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    const principal = await t.app.services.tokens.authenticate(name ?? '', secret ?? '');
    const run = () => t.app.services.runner.run(contextFor(principal), 'nothing', {});
    const skipped = await t.app.services.mail.sendRun({
      to: ['team@allowed.example'],
      subject: 'Empty',
      output: await run(),
      skipIfEmpty: true,
      attach: 'csv',
    });
    assert.deepEqual(skipped, { sent: false, rows: 0 });
    assert.equal(smtp.messages.length, 0);
    const sent = await t.app.services.mail.sendRun({
      to: ['team@allowed.example'],
      subject: 'Empty',
      intro: 'Nightly <check>',
      output: await run(),
    });
    assert.equal(sent.sent, true);
    assert.equal(sent.rows, 0);
    assert.ok(sent.messageId);
    const html = mimeParts(smtp.messages[0]!.raw).find((part) => part.contentType.startsWith('text/html'));
    assert.match(html?.text ?? '', /No rows\./);
    assert.match(html?.text ?? '', /Nightly &lt;check&gt;/);
  });
});

describe('mail not configured', () => {
  test('without SMTP_URL a send answers a clear 503', async () => {
    const plain = await createTestApp();
    try {
      const response = await plain.app.server.inject({
        method: 'POST',
        url: '/report/mail/customer-by-id/',
        headers: { authorization: plain.adminHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: '_mail_to=a@example.com',
      });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().message, 'Mail is not configured on this server (SMTP_URL)');
    } finally {
      await plain.close();
    }
  });
});
