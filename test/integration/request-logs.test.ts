/**
 * Request logs: one JSON line per request carrying the request id that the answer echoes in
 * `X-Request-Id`, and never a credential. The real server writes them to standard output
 * asynchronously, and the lines of its last moments still reach the output when it stops.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { call } from '../helpers/http-call.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
const output: string[] = [];
const lines = () => output.map((line) => JSON.parse(line) as Record<string, unknown>);
const linesOf = (requestId: unknown) => lines().filter((line) => line.reqId === requestId);

before(async () => {
  t = await createTestApp({ LOG_LEVEL: 'info' }, { logStream: { write: (line) => output.push(line) } });
});
after(() => t.close());
beforeEach(() => {
  output.length = 0;
});

describe('request log lines', () => {
  test('one line per request, with the id the answer carries', async () => {
    const response = await t.app.server.inject({
      method: 'GET',
      url: '/api/call/customer-by-id/?_id=42',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(response.statusCode, 200);
    const id = response.headers['x-request-id'];
    assert.match(String(id), UUID);
    const mine = linesOf(id);
    assert.equal(mine.length, 1, JSON.stringify(lines()));
    const [line] = mine;
    assert.equal(line?.level, 30);
    assert.equal(line?.method, 'GET');
    assert.equal(line?.route, '/api/call/:report/');
    assert.equal(line?.url, '/api/call/customer-by-id/?_id=42');
    assert.equal(line?.status, 200);
    assert.equal(typeof line?.durationMs, 'number');
    assert.equal(line?.principal, 'demo-admin');
    assert.equal(output.length, 1, 'no other line, e.g. Fastify\'s "incoming request"');
  });

  test('errors carry the id too, and each request gets its own', async () => {
    const missing = await t.app.server.inject({ method: 'GET', url: '/api/nothing-here' });
    const refused = await t.app.server.inject({ method: 'DELETE', url: '/api/admin/tokens/1/' });
    assert.equal(missing.statusCode, 404);
    assert.equal(refused.statusCode, 401);
    const ids = [missing.headers['x-request-id'], refused.headers['x-request-id']];
    assert.notEqual(ids[0], ids[1]);
    for (const id of ids) {
      assert.match(String(id), UUID);
      assert.equal(linesOf(id).length, 1);
    }
    assert.equal(linesOf(ids[0])[0]?.route, 'unmatched');
    assert.equal(linesOf(ids[1])[0]?.principal, undefined);
  });

  test("honours a proxy's safe X-Request-Id and replaces an unsafe one", async () => {
    const safe = await t.app.server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'lb-7f3a.42:1' },
    });
    assert.equal(safe.headers['x-request-id'], 'lb-7f3a.42:1');
    assert.equal(linesOf('lb-7f3a.42:1').length, 1);
    for (const unsafe of ['a'.repeat(65), 'id with spaces', '"},{"level":60', '../../etc']) {
      const response = await t.app.server.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': unsafe },
      });
      assert.match(String(response.headers['x-request-id']), UUID, unsafe);
    }
  });
});

describe('redaction', () => {
  test('neither the Authorization header nor a secret-looking parameter is logged', async () => {
    const basic = t.adminHeader.split(' ')[1] ?? '';
    const secret = Buffer.from(basic, 'base64').toString('utf8').split(':')[1] ?? '';
    assert.ok(secret.length > 8);
    const responses = [
      await t.app.server.inject({
        method: 'GET',
        url: '/api/call/customer-by-id/?_id=42&password=hunter2-do-not-log&_api_key=k-do-not-log',
        headers: { authorization: t.adminHeader, cookie: 'sr_session=cookie-do-not-log' },
      }),
      // Refused before authentication (credentials in the URL); still logged, still redacted.
      await t.app.server.inject({ method: 'GET', url: `/api/server_time/?token=${secret}` }),
    ];
    const text = output.join('');
    for (const leak of [basic, secret, 'hunter2-do-not-log', 'k-do-not-log', 'cookie-do-not-log']) {
      assert.ok(!text.includes(leak), `${leak} is in the log`);
    }
    const first = linesOf(responses[0]?.headers['x-request-id'])[0];
    assert.equal(first?.url, '/api/call/customer-by-id/?_id=42&password=[redacted]&_api_key=[redacted]');
    const second = linesOf(responses[1]?.headers['x-request-id'])[0];
    assert.equal(second?.status, 400);
    assert.equal(second?.url, '/api/server_time/?token=[redacted]');
  });
});

describe('the real server on standard output', () => {
  test('one request writes one line, and the shutdown lines are flushed before exit', async () => {
    const server = await startServerProcess({ LOG_LEVEL: 'info', SHUTDOWN_DELAY_SECONDS: '0' });
    try {
      const answer = await call(server.url, '/api/call/customer-by-id/?_id=42', {
        headers: { authorization: server.adminHeader },
      });
      assert.equal(answer.status, 200);
      server.signal('SIGTERM');
      assert.equal(await server.exited, 0);
      const logged = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const id = answer.headers['x-request-id'];
      const mine = logged.filter((line) => line.reqId === id);
      assert.equal(mine.length, 1, server.output());
      assert.equal(mine[0]?.msg, 'request completed');
      assert.equal(mine[0]?.status, 200);
      // Written just before process.exit: lost if the asynchronous destination were not flushed.
      assert.equal(logged.at(-1)?.msg, 'stopped', server.output());
    } finally {
      await server.stop();
    }
  });
});
