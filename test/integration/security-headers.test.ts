/**
 * The security headers computed once at start are the ones @fastify/helmet sent on every answer:
 * an API answer, an HTML page (which keeps its own CSP and gets the rest), and error answers
 * (404, 401, 400), through inject() and on the wire with helmet's spelling.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Written out, not imported: what @fastify/helmet 13 (helmet 8.3) sent with the server's options. */
const HELMET_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
    "frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';" +
    "script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

const TEMPLATE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'";

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type Headers = Record<string, string | string[] | number | undefined>;

/** Every helmet header with helmet's value, except those `overrides` replace with theirs. */
function assertHelmetHeaders(headers: Headers, what: string, overrides: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(HELMET_HEADERS)) {
    const expected = overrides[name.toLowerCase()] ?? value;
    assert.equal(headers[name.toLowerCase()], expected, `${name} on ${what}`);
  }
}

describe('security headers', () => {
  test('an API answer carries every one of them', async () => {
    const response = await t.app.server.inject({
      url: '/api/call/customer-by-id/?_id=42',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(response.statusCode, 200);
    assertHelmetHeaders(response.headers, 'an API answer');
  });

  test('an HTML page keeps its own CSP and gets all the others', async () => {
    const page = await t.app.server.inject({
      url: '/template/customer-card/?_id=7',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assertHelmetHeaders(page.headers, 'an HTML page', { 'content-security-policy': TEMPLATE_PAGE_CSP });
  });

  test('error answers carry them too: 404, 401 and 400', async () => {
    const answers = [
      [await t.app.server.inject({ url: '/api/nothing-here' }), 404],
      [await t.app.server.inject({ url: '/api/call/customer-by-id/?_id=42' }), 401],
      [
        await t.app.server.inject({
          url: '/api/call/customer-by-id/?_id=x',
          headers: { authorization: t.adminHeader },
        }),
        400,
      ],
    ] as const;
    for (const [response, status] of answers) {
      assert.equal(response.statusCode, status);
      assert.equal(response.json().ok, false);
      assertHelmetHeaders(response.headers, `a ${status}`);
    }
  });

  test('on the wire, each is sent once and spelled as helmet spells it', async () => {
    const base = await t.app.server.listen({ port: 0, host: '127.0.0.1' });
    const rawHeaders = await new Promise<string[]>((resolve, reject) => {
      http
        .get(`${base}/healthz`, (response) => {
          response.resume();
          resolve(response.rawHeaders);
        })
        .on('error', reject);
    });
    const names = rawHeaders.filter((_, i) => i % 2 === 0);
    for (const [name, value] of Object.entries(HELMET_HEADERS)) {
      assert.equal(names.filter((sent) => sent.toLowerCase() === name.toLowerCase()).length, 1, name);
      assert.equal(rawHeaders[rawHeaders.indexOf(name) + 1], value, name);
    }
  });
});
