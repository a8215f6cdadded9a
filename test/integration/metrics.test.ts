/**
 * `/metrics`: off unless METRICS_TOKEN is set, then only for its bearer; the counters move with
 * real requests through the whole stack.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const TOKEN = 'metrics-token-0123456789';

/** The value of one series in the Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const wanted = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('/metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('is off: a JSON 404 in the envelope, even with a bearer', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
      const response = await t.app.server.inject({ method: 'GET', url: '/metrics', headers });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.deepEqual(Object.keys(response.json()), ['message', 'ok', 'records']);
      assert.equal(response.json().ok, false);
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
  });
  after(() => t.close());

  const scrape = async () => {
    const response = await t.app.server.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.statusCode, 200);
    return response.body;
  };

  test('refuses a missing, wrong or Basic credential with a JSON 401', async () => {
    const wrong = [undefined, 'Bearer not-the-token-at-all', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`];
    for (const authorization of wrong) {
      const headers = authorization ? { authorization } : {};
      const response = await t.app.server.inject({ method: 'GET', url: '/metrics', headers });
      assert.equal(response.statusCode, 401, authorization);
      assert.equal(response.json().ok, false);
      assert.match(String(response.headers['www-authenticate']), /^Bearer/);
      assert.doesNotMatch(response.body, /secure_reporter_/);
    }
  });

  test('answers the Prometheus text format with process metrics', async () => {
    const response = await t.app.server.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(response.body, /^# HELP secure_reporter_http_requests_total /m);
    assert.match(response.body, /^# TYPE secure_reporter_report_runs_total counter$/m);
    assert.match(response.body, /^secure_reporter_process_cpu_user_seconds_total \d/m);
    assert.match(response.body, /^# TYPE secure_reporter_pool_connections gauge$/m);
  });

  test('counts report runs by report, outcome and connection, with their rows', async () => {
    const call = (url: string) =>
      t.app.server.inject({ method: 'GET', url, headers: { authorization: t.adminHeader } });
    assert.equal((await call('/api/call/customer-by-id/?_id=42')).statusCode, 200);
    assert.equal((await call('/api/call/customer-by-id/?_id=forty-two')).statusCode, 400);
    const text = await scrape();
    const ok = { report: 'customer-by-id', outcome: 'ok', connection: 'demo' };
    const bad = { report: 'customer-by-id', outcome: 'bad_request', connection: 'none' };
    assert.equal(sample(text, 'secure_reporter_report_runs_total', ok), 1);
    assert.equal(sample(text, 'secure_reporter_report_runs_total', bad), 1);
    assert.equal(sample(text, 'secure_reporter_report_run_rows_sum', ok), 1);
    assert.equal(sample(text, 'secure_reporter_report_run_duration_seconds_count', ok), 1);
    // The run's pool is open now and its one connection is back, idle.
    assert.equal(
      sample(text, 'secure_reporter_pool_connections', { connection: 'demo', state: 'in_use' }),
      0,
    );
    assert.equal(
      sample(text, 'secure_reporter_pool_connections', { connection: 'demo', state: 'waiting' }),
      0,
    );
    assert.equal(sample(text, 'secure_reporter_pool_busy_refusals_total', { connection: 'demo' }), 0);
  });

  test('counts a refused run as forbidden', async () => {
    const create = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'outsider', groups: ['nobody-group'], expiry: '1d' },
    });
    const header = create.json().records[0].header;
    const refused = await t.app.server.inject({
      method: 'GET',
      url: '/api/call/customer-by-id/?_id=1',
      headers: { authorization: header },
    });
    assert.equal(refused.statusCode, 403);
    const labels = { report: 'customer-by-id', outcome: 'forbidden' };
    assert.equal(sample(await scrape(), 'secure_reporter_report_runs_total', labels), 1);
  });

  test('counts HTTP requests by route pattern, never by URL', async () => {
    for (const id of [1, 2, 3]) {
      await t.app.server.inject({
        method: 'GET',
        url: `/api/call/customer-by-id/?_id=${id}`,
        headers: { authorization: t.adminHeader },
      });
    }
    await t.app.server.inject({ method: 'GET', url: '/api/no-such-thing/at-all' });
    const text = await scrape();
    const route = { method: 'GET', route: '/api/call/:report/', status: '200' };
    assert.ok((sample(text, 'secure_reporter_http_requests_total', route) ?? 0) >= 3);
    assert.equal(
      sample(text, 'secure_reporter_http_requests_total', { route: 'unmatched', status: '404' }),
      1,
    );
    assert.doesNotMatch(text, /customer-by-id\/\?/);
    assert.doesNotMatch(text, /no-such-thing/);
    assert.ok(sample(text, 'secure_reporter_http_request_duration_seconds_count', { route: route.route }));
  });

  test('counts failed authentication by kind', async () => {
    const bad = `Basic ${Buffer.from('admin:wrong-secret').toString('base64')}`;
    await t.app.server.inject({ method: 'GET', url: '/api/server_time/', headers: { authorization: bad } });
    await t.app.server.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'nobody@example.com', password: 'not-the-password' },
    });
    await t.app.server.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: 'sr_session=not-a-session' },
    });
    // No credentials at all is not a failed attempt.
    await t.app.server.inject({ method: 'GET', url: '/api/server_time/' });
    const text = await scrape();
    assert.equal(sample(text, 'secure_reporter_auth_failures_total', { kind: 'token' }), 1);
    assert.equal(sample(text, 'secure_reporter_auth_failures_total', { kind: 'password' }), 1);
    assert.equal(sample(text, 'secure_reporter_auth_failures_total', { kind: 'session' }), 1);
  });

  test('times metadata store queries', async () => {
    const text = await scrape();
    assert.ok(
      (sample(text, 'secure_reporter_store_query_duration_seconds_count', { operation: 'select' }) ?? 0) > 0,
    );
    assert.ok(
      sample(text, 'secure_reporter_store_query_duration_seconds_bucket', { le: '0.001' }) !== undefined,
    );
  });
});

describe('schedule metrics', () => {
  test('count runs and deliveries by outcome', async () => {
    const t = await createTestApp({ METRICS_TOKEN: TOKEN, ALLOW_PRIVATE_TARGETS: 'true' });
    const receiver = await startReceiver();
    try {
      const create = await t.app.server.inject({
        method: 'POST',
        url: '/api/schedules/',
        headers: { authorization: t.adminHeader },
        payload: {
          report: 'customer-by-id',
          cron: 'daily',
          timezone: 'UTC',
          params: { _id: 42 },
          deliveries: { api: { url: receiver.url } },
        },
      });
      assert.equal(create.statusCode, 201, create.body);
      const run = await t.app.server.inject({
        method: 'POST',
        url: `/api/schedules/${create.json().records[0].id}/run-now/`,
        headers: { authorization: t.adminHeader },
      });
      assert.equal(run.json().records[0].outcome, 'ok', run.body);
      const text = await t.app.metrics.registry.metrics();
      assert.equal(sample(text, 'secure_reporter_schedule_runs_total', { outcome: 'ok' }), 1);
      const delivered = { kind: 'api', outcome: 'ok' };
      assert.equal(sample(text, 'secure_reporter_schedule_deliveries_total', delivered), 1);
    } finally {
      await receiver.close();
      await t.close();
    }
  });
});

describe('METRICS_TOKEN configuration', () => {
  test('reads METRICS_TOKEN_FILE and refuses a short token', () => {
    const dir = tmpdir();
    const file = path.join(dir, `metrics-token-${process.pid}`);
    writeFileSync(file, `${TOKEN}\n`);
    assert.equal(loadConfig({ METRICS_TOKEN_FILE: file }).metricsToken, TOKEN);
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), ConfigError);
    assert.throws(() => loadConfig({ METRICS_TOKEN_FILE: path.join(dir, 'missing-file') }), ConfigError);
    rmSync(file);
  });
});
