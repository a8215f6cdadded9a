/**
 * Every registered route declares who may call it, and the one authorization hook enforces it:
 * walked from the server's own route table, so a route added later is covered without editing
 * this file. Only the routes listed in PUBLIC may answer without credentials.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { declaredRoutes } from '../../src/http/route-auth.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let plainToken = '';
let editorToken = '';

/** The routes meant to answer without the app's credentials; anything else here is a breach. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/openapi.json',
  'GET /api/auth/options',
  'POST /auth/login',
  'GET /auth/sso',
  'GET /auth/sso/callback',
  'GET /*',
]);

/** A concrete URL for a route pattern: every `:param` and the wildcard get a plausible value. */
function urlOf(pattern: string): string {
  const values: Record<string, string> = {
    report: 'no-such-report',
    format: 'json',
    number: '1',
    id: '1',
    fieldId: '1',
    name: 'no-such-name',
    email: 'nobody@example.com',
    file: 'no-such-file.png',
  };
  return pattern
    .replace(/:(\w+)/g, (_match, name: string) => values[name] ?? 'x')
    .replace(/\*$/, 'some/client/route');
}

before(async () => {
  t = await createTestApp({ METRICS_TOKEN: 'route-matrix-metrics-token' });
  plainToken = await createToken(t, 'matrix-plain', ['*']);
  editorToken = await createToken(t, 'matrix-editor', ['editor']);
});
after(() => t?.close());

const routes = () => declaredRoutes(t.app.server).filter((route) => route.method !== 'HEAD');

async function status(method: string, url: string, authorization?: string): Promise<number> {
  const response = await t.app.server.inject({
    method: method as 'GET',
    url,
    headers: authorization ? { authorization } : {},
    ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }),
  });
  return response.statusCode;
}

test('the route table is the whole API and every route has a known role', () => {
  const all = routes();
  assert.ok(all.length >= 60, `only ${all.length} routes were collected`);
  const keys = new Set(all.map((route) => `${route.method} ${route.url}`));
  for (const key of ['GET /api/admin/bundle/export/', 'DELETE /api/admin/reports/:report/', 'GET /api/me']) {
    assert.ok(keys.has(key), `${key} is missing from the route table`);
  }
  const publicKeys = all.filter((route) => route.role === 'public').map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(new Set(publicKeys), PUBLIC, 'only the listed routes may be public');
  const looseAdmin = all
    .filter((route) => route.url.startsWith('/api/admin/') && !['admin', 'editor'].includes(route.role))
    .map((route) => `${route.method} ${route.url} is ${route.role}`);
  assert.deepEqual(looseAdmin, [], 'every /api/admin/ route needs an editor or an admin');
});

test('a request without credentials gets 401 on every route that is not public', async () => {
  const answered: string[] = [];
  for (const route of routes().filter((r) => r.role !== 'public')) {
    const got = await status(route.method, urlOf(route.url));
    if (got !== 401) answered.push(`${route.method} ${route.url} → ${got}`);
  }
  assert.deepEqual(answered, []);
});

test('a plain token gets 403 on every editor and admin route; an editor on every admin route', async () => {
  const breaches: string[] = [];
  let checked = 0;
  for (const route of routes()) {
    const url = urlOf(route.url);
    if (route.role === 'admin' || route.role === 'editor') {
      const got = await status(route.method, url, plainToken);
      if (got !== 403) breaches.push(`plain token ${route.method} ${route.url} → ${got}`);
      checked++;
    }
    if (route.role === 'admin') {
      const got = await status(route.method, url, editorToken);
      if (got !== 403) breaches.push(`editor ${route.method} ${route.url} → ${got}`);
    }
  }
  assert.ok(checked >= 30, `only ${checked} editor/admin routes were checked`);
  assert.deepEqual(breaches, []);
});

test('the role a route declares is the one enforced: editors pass editor routes', async () => {
  assert.equal(await status('GET', '/api/admin/reports/', editorToken), 200);
  assert.equal(await status('GET', '/api/admin/tokens/', editorToken), 403);
  assert.equal(await status('GET', '/api/admin/tokens/', t.adminHeader), 200);
  assert.equal(await status('GET', '/api/me', plainToken), 200);
});
