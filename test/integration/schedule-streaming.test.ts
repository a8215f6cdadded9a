/**
 * Scheduled deliveries stream: a 200,000-row result reaches a real SMTP server (CSV attachment)
 * and a real API target while the live heap stays far below the size of the rows, and an
 * API-target body over API_TARGET_MAX_ROWS fails that delivery with a clear error, unsent.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'a-secret-for-the-streaming-target';
const ROWS = 200_000;
/** Each row holds ~200 bytes of distinct text: ~40 MB of rows, held twice when materialised. */
const PAD = 200;
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestApp;
let smtp: SmtpSink;
let receiver: WebhookReceiver;

interface RunRecord {
  outcome: string;
  rows: number | null;
  error: string | null;
  deliveries: Array<{ kind: string; ok: boolean; detail: Record<string, unknown>; error: string | null }>;
}

async function call(method: 'POST' | 'PUT', url: string, payload?: object) {
  return t.app.server.inject({ method, url, headers: { authorization: t.adminHeader }, payload });
}

async function scheduleOf(report: string, deliveries: object): Promise<number> {
  const created = await call('POST', '/api/schedules/', { report, cron: 'daily', deliveries });
  assert.equal(created.statusCode, 201, created.body);
  return created.json().records[0].id as number;
}

async function runNow(id: number): Promise<RunRecord> {
  const run = await call('POST', `/api/schedules/${id}/run-now/`);
  assert.equal(run.statusCode, 200, run.body);
  return run.json().records[0] as RunRecord;
}

/** Runs `work` while sampling the live heap (after a full GC) every 300 ms; answers the peak. */
async function peakHeapDuring<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 300);
  try {
    const result = await work();
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

before(async () => {
  smtp = await startSmtpSink({ countOnly: true });
  receiver = await startReceiver({ countOnly: { secret: SECRET } });
  t = await createTestApp({
    SMTP_URL: smtp.url,
    CUSTOM_MAIL_DOMAINS: 'example.com',
    ALLOW_PRIVATE_TARGETS: 'true',
    API_TARGET_MAX_ROWS: '250000',
  });
  const sql =
    'with recursive n(i) as (select 1 union all select i + 1 from n where i < ' +
    `${ROWS}) select i as id, printf('%0${PAD}d', i) as pad from n`;
  // Its own SQLite database with a generous statement timeout: on a busy machine the run may
  // take longer than the demo connection's 10 s, and the timeout is not what is tested here.
  const file = path.join(t.dataDir, 'streaming.sqlite');
  new Database(file).close();
  const connection = await call('POST', '/api/admin/connections/', {
    name: 'streaming',
    driver: 'sqlite',
    settings: { file },
    statement_timeout_ms: 300_000,
  });
  assert.equal(connection.statusCode, 201, connection.body);
  const report = await call('POST', '/api/admin/reports/', {
    name: 'Many rows',
    cluster: 'streaming',
    groups: ['*'],
    sql,
  });
  assert.equal(report.statusCode, 201, report.body);
});

after(async () => {
  await t.close();
  await receiver.close();
  await smtp.close();
});

describe('a large scheduled result', () => {
  test('is mailed and posted while the heap stays bounded', async () => {
    const id = await scheduleOf('many-rows', {
      email: { to: ['ops@example.com'], attach: 'csv' },
      api: { url: receiver.url, secret: SECRET },
    });
    const { result: run, growth } = await peakHeapDuring(() => runNow(id));
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
    assert.equal(run.rows, ROWS);
    // Materialised, the rows alone (arrays, records, the JSON text) take well over 100 MB.
    assert.ok(growth < 40 * MB, `live heap grew by ${Math.round(growth / MB)} MB`);

    const [mail] = smtp.messages;
    assert.ok(mail && mail.bytes > ROWS * PAD, `mail of ${mail?.bytes} bytes holds every row`);
    const [hit] = receiver.received;
    assert.ok(hit, 'the target received the body');
    assert.equal(hit.signed, true, 'the signature covers the streamed body');
    assert.equal(Number(hit.headers['content-length']), hit.bytes);
    assert.ok(hit.bytes > ROWS * PAD, `${hit.bytes} bytes`);
    assert.ok(hit.tail.endsWith(`{"id":${ROWS},"pad":"${String(ROWS).padStart(PAD, '0')}"}]}`), hit.tail);
  });
});

describe('a panel report', () => {
  test('one failing delivery (CSV of several tables) leaves the other whole', async () => {
    const plain = await startReceiver();
    try {
      const id = await scheduleOf('sales-overview', {
        email: { to: ['ops@example.com'], attach: 'csv' },
        api: { url: plain.url },
      });
      const mails = smtp.messages.length;
      const run = await runNow(id);
      assert.equal(run.outcome, 'delivery_failed', JSON.stringify(run));
      const [email, api] = run.deliveries;
      assert.equal(email?.ok, false);
      assert.match(email?.error ?? '', /one of several tables; CSV holds one, ask for XLSX/);
      assert.equal(smtp.messages.length, mails, 'no mail was sent');
      assert.equal(api?.ok, true, JSON.stringify(api));
      const envelope = JSON.parse(plain.received[0]?.body ?? '{}');
      const titles = envelope.records.map((section: { title: string }) => section.title);
      assert.ok(titles.length >= 2 && titles.includes('Orders per status'), titles.join(', '));
      assert.ok(envelope.records[0].records.length > 0, 'each section holds its rows');
    } finally {
      await plain.close();
    }
  });
});

describe('the API-target row cap', () => {
  let capped: TestApp;
  const headers = () => ({ authorization: capped.adminHeader });
  const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
    capped.app.server.inject({ method, url, headers: headers(), payload });

  /** A schedule of a report of `count` rows mailing and posting; answers its run-now record. */
  async function runRows(count: number): Promise<RunRecord & { id: number }> {
    const sql = Array.from({ length: count }, (_, i) => `select ${i + 1} as id`).join(' union all ');
    const name = `Rows ${count}`;
    await inject('POST', '/api/admin/reports/', { name, cluster: 'demo', groups: ['*'], sql });
    const deliveries = { email: { to: ['ops@example.com'] }, api: { url: receiver.url, secret: SECRET } };
    const created = await inject('POST', '/api/schedules/', {
      report: `rows-${count}`,
      cron: 'daily',
      deliveries,
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().records[0].id as number;
    const run = await inject('POST', `/api/schedules/${id}/run-now/`);
    assert.equal(run.statusCode, 200, run.body);
    return { ...(run.json().records[0] as RunRecord), id };
  }

  before(async () => {
    capped = await createTestApp({
      SMTP_URL: smtp.url,
      CUSTOM_MAIL_DOMAINS: 'example.com',
      ALLOW_PRIVATE_TARGETS: 'true',
      API_TARGET_MAX_ROWS: '3',
    });
  });
  after(() => capped.close());

  test('a result over API_TARGET_MAX_ROWS fails the API delivery unsent; mail still goes', async () => {
    const before = { hits: receiver.received.length, mails: smtp.messages.length };
    const run = await runRows(4);
    assert.equal(run.outcome, 'delivery_failed');
    assert.equal(run.rows, 4);
    const api = run.deliveries.find((d) => d.kind === 'api');
    assert.equal(api?.ok, false);
    assert.match(
      api?.error ?? '',
      /more than 3 rows, the most an API target body may hold \(API_TARGET_MAX_ROWS\); nothing was sent/,
    );
    assert.equal(receiver.received.length, before.hits, 'nothing was posted');
    assert.equal(run.deliveries.find((d) => d.kind === 'email')?.ok, true);
    assert.equal(smtp.messages.length, before.mails + 1);
    const history = await inject('GET', `/api/schedules/${run.id}/runs/`);
    assert.match(JSON.stringify(history.json().records[0].deliveries), /API_TARGET_MAX_ROWS/);
  });

  test('a result at the cap is delivered whole', async () => {
    const before = receiver.received.length;
    const run = await runRows(3);
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
    assert.equal(receiver.received.length, before + 1);
    const tail = receiver.received.at(-1)?.tail ?? '';
    assert.ok(tail.endsWith('"records":[{"id":1},{"id":2},{"id":3}]}'), tail);
  });
});
