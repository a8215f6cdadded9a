/**
 * The headers the real server sends with the built web app (helmet and the web-app route
 * together): the app's own CSP on every HTML page, exactly; long caching for hashed assets and
 * revalidation for everything else; JavaScript and CSS types under `nosniff`; API 404s in the
 * JSON envelope, never the app.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ensureWebBuilt } from '../helpers/browser.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Written out, not imported: a change to the policy must be a change to this test. */
const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

describe('headers of the built web app on the real server', () => {
  let testApp: TestApp;
  let script: string;
  let stylesheet: string;
  before(async () => {
    ensureWebBuilt();
    const assets = readdirSync('web/dist/assets');
    script = `/assets/${assets.find((name) => name.endsWith('.js'))}`;
    stylesheet = `/assets/${assets.find((name) => name.endsWith('.css'))}`;
    testApp = await createTestApp();
  });
  after(async () => testApp?.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    testApp.app.server.inject({ method: 'GET', url, headers });

  test('every page of the app has the app CSP, no-cache and the HTML type', async () => {
    for (const url of ['/', '/index.html', '/reports/customer-by-id', '/admin/tokens/', '/assets']) {
      const page = await get(url);
      assert.equal(page.statusCode, 200, url);
      assert.equal(page.headers['content-security-policy'], APP_CSP, url);
      assert.equal(page.headers['cache-control'], 'no-cache', url);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8', url);
      assert.equal(page.headers['x-content-type-options'], 'nosniff', url);
      assert.match(page.body, /<div id="root"><\/div>/, url);
    }
  });

  test('hashed assets are cached for a year as immutable, with their types', async () => {
    const expected: [string, string][] = [
      [script, 'text/javascript; charset=utf-8'],
      [stylesheet, 'text/css; charset=utf-8'],
    ];
    for (const [url, type] of expected) {
      const asset = await get(url);
      assert.equal(asset.statusCode, 200, url);
      assert.equal(asset.headers['content-type'], type, url);
      assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', url);
      assert.equal(asset.headers['x-content-type-options'], 'nosniff', url);
      // Helmet's policy, not the page's: assets are not documents.
      assert.match(String(asset.headers['content-security-policy']), /^default-src 'self';/, url);
      assert.equal(Number(asset.headers['content-length']), asset.rawPayload.length, url);
    }
  });

  test('no-cache revalidates: the ETag it sent answers 304 with no body', async () => {
    const first = await get('/reports/customer-by-id');
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"/);
    const again = await get('/admin/tokens', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);
  });

  test('HEAD of a page sends the same headers and no body', async () => {
    const head = await testApp.app.server.inject({ method: 'HEAD', url: '/reports/x' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-security-policy'], APP_CSP);
    assert.equal(head.rawPayload.length, 0);
  });

  test('unknown API paths and missing files are JSON 404s, never the app', async () => {
    for (const url of ['/api/nope', '/api/nope/deeper', '/auth/nope', '/assets/missing.js', '/missing.png']) {
      const response = await get(url);
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.headers['content-type'], 'application/json; charset=utf-8', url);
      assert.deepEqual(response.json(), { message: `No endpoint GET ${url}`, ok: false, records: [] });
    }
  });

  test('API replies keep the API policy, not the app policy', async () => {
    const response = await get('/api/auth/options');
    assert.equal(response.statusCode, 200);
    assert.notEqual(response.headers['content-security-policy'], APP_CSP);
    assert.doesNotMatch(String(response.headers['content-security-policy']), /frame-src/);
  });
});
