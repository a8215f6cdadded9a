/**
 * The routes behind the web app: the runnable-report listing, the sign-in options, and serving
 * the built app without shadowing the API.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { handleError } from '../../src/http/error-handler.ts';
import { webAppRoutes } from '../../src/http/routes/web-app.ts';
import type { RouteDeps } from '../../src/http/server.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

describe('GET /api/reports/ and /api/auth/options', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp();
  });
  after(async () => testApp.close());

  const list = async (authorization: string) =>
    testApp.app.server.inject({ method: 'GET', url: '/api/reports/', headers: { authorization } });

  test('lists only the reports the caller may run, without SQL', async () => {
    const create = await testApp.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: { authorization: testApp.adminHeader },
      payload: { name: 'Finance only', cluster: 'demo', groups: ['finance'], sql: 'select 1 as one' },
    });
    assert.equal(create.statusCode, 201, create.body);
    const everyone = await createToken(testApp, 'everyone', ['*']);
    const finance = await createToken(testApp, 'finance', ['finance']);

    const forEveryone = (await list(everyone)).json();
    const names = forEveryone.records.map((report: { name: string }) => report.name);
    assert.equal(forEveryone.ok, true);
    assert.ok(names.includes('Customer by id'));
    assert.ok(!names.includes('Finance only'));
    assert.ok(forEveryone.records.every((report: object) => !('sql' in report)));

    const forFinance = (await list(finance)).json();
    assert.deepEqual(
      forFinance.records.map((report: { name: string }) => report.name),
      ['Finance only'],
    );
    assert.ok(Array.isArray(forFinance.groups));
  });

  test('refuses callers without credentials', async () => {
    const response = await testApp.app.server.inject({ method: 'GET', url: '/api/reports/' });
    assert.equal(response.statusCode, 401);
  });

  test('tells the sign-in page whether SSO is configured, without credentials', async () => {
    const response = await testApp.app.server.inject({ method: 'GET', url: '/api/auth/options' });
    assert.deepEqual(response.json().records, [{ sso: false }]);
  });
});

describe('serving the built web app', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sr-web-'));
  // A folder next to the dist folder, which a path with `..` would reach.
  const outside = mkdtempSync(path.join(tmpdir(), 'sr-web-outside-'));
  const server = Fastify();
  before(async () => {
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
    writeFileSync(path.join(root, '.env.txt'), 'top secret');
    writeFileSync(path.join(root, 'assets', '.env.txt'), 'top secret');
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(root, 'assets', 'app-1.js'), 'console.log(1)');
    server.setErrorHandler(handleError);
    server.get('/api/thing', async () => ({ ok: true }));
    webAppRoutes(server, {} as RouteDeps, root);
    await server.ready();
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('client routes get index.html with the app CSP; assets their type', async () => {
    for (const url of ['/', '/reports/customer-by-id', '/admin/tokens']) {
      const page = await server.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200, url);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'(;|$)/);
      assert.match(page.body, /id="root"/);
    }
    const asset = await server.inject({ method: 'GET', url: '/assets/app-1.js' });
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
  });

  test('does not shadow server paths, and never leaves the dist folder', async () => {
    assert.equal((await server.inject({ method: 'GET', url: '/api/thing' })).json().ok, true);
    for (const url of ['/api/nope', '/auth/nope', '/report/nope', '/template/x/', '/assets/missing.js']) {
      assert.equal((await server.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    const traversal = await server.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    assert.doesNotMatch(traversal.body, /root:/);
  });

  test('files beside the dist folder and dotfiles inside it are never sent', async () => {
    const besideRoot = `../${path.basename(outside)}/secret.txt`;
    for (const url of [
      `/${encodeURIComponent(besideRoot)}`,
      `/${besideRoot.replaceAll('.', '%2e')}`,
      `/assets/..%2f${encodeURIComponent(besideRoot)}`,
      '/.env.txt',
      '/assets/.env.txt',
    ]) {
      const response = await server.inject({ method: 'GET', url });
      assert.ok([403, 404].includes(response.statusCode), `${url} answered ${response.statusCode}`);
      assert.doesNotMatch(response.body, /top secret/, url);
    }
  });

  test('unknown API, metrics and health paths are JSON 404s in the envelope, never the app', async () => {
    for (const url of ['/api/nope/deeper', '/metrics', '/metrics/extra', '/healthz/x', '/readyz/x/y']) {
      const response = await server.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.match(String(response.headers['content-type']), /^application\/json/, url);
      assert.deepEqual(response.json(), { message: `No endpoint GET ${url}`, ok: false, records: [] });
    }
  });

  test('without a build, answers 503 saying how to build it', async () => {
    const bare = Fastify();
    webAppRoutes(bare, {} as RouteDeps, path.join(root, 'missing'));
    const response = await bare.inject({ method: 'GET', url: '/reports/x' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build:web/);
    await bare.close();
  });
});
