/**
 * The web app's API client (openapi-fetch typed by the generated schema) against the real
 * server: envelopes unwrap to records, failures become ApiErrors carrying the server's message
 * and status, a lost connection and an answer that is not JSON get plain messages.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApiError, createApi, recordsOf, send } from '../../web/src/api.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let testApp: TestApp;
let api: ReturnType<typeof createApi>;
let notJson: Server;
const auth = () => ({ headers: { authorization: testApp.adminHeader } });

const origin = (server: { address(): AddressInfo | string | null }) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

before(async () => {
  testApp = await createTestApp();
  await testApp.app.server.listen({ host: '127.0.0.1', port: 0 });
  api = createApi(origin(testApp.app.server.server));
  notJson = createServer((_request, response) => response.writeHead(200).end('<html>proxy page</html>'));
  await new Promise<void>((resolve) => notJson.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  notJson?.close();
  await testApp?.close();
});

test('a typed call unwraps the envelope into its records', async () => {
  const body = { name: 'client-test', expiry: '1d' as const, groups: ['sales'] };
  const created = await send(api.POST('/api/admin/tokens/', { body, ...auth() }));
  assert.equal(created.ok, true);
  const tokens = (await recordsOf(api.GET('/api/admin/tokens/', auth()))) as Array<{ name: string }>;
  assert.ok(tokens.some((token) => token.name === 'client-test'));
});

test('a refused call throws an ApiError with the server message and status', async () => {
  await assert.rejects(send(api.GET('/api/me')), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.ok(error.message.length > 0 && !/HTTP 401/.test(error.message), error.message);
    return true;
  });
  const bad = { name: 'x', expiry: 'forever' as '1d', groups: [] };
  await assert.rejects(send(api.POST('/api/admin/tokens/', { body: bad, ...auth() })), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 400);
    assert.match(error.message, /expiry/);
    return true;
  });
});

test('path parameters are filled in and encoded', async () => {
  await send(
    api.POST('/api/admin/tokens/', { body: { name: 'to-delete', expiry: '1d', groups: ['*'] }, ...auth() }),
  );
  await send(api.DELETE('/api/admin/tokens/{name}/', { params: { path: { name: 'to-delete' } }, ...auth() }));
  const tokens = (await recordsOf(api.GET('/api/admin/tokens/', auth()))) as Array<{ name: string }>;
  assert.ok(!tokens.some((token) => token.name === 'to-delete'));
});

test('an answer that is not JSON and an unreachable server get plain messages', async () => {
  const proxied = createApi(origin(notJson));
  await assert.rejects(send(proxied.GET('/api/me')), /The server sent an answer that is not JSON/);
  const gone = createApi('http://127.0.0.1:9');
  await assert.rejects(send(gone.GET('/api/me')), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 0);
    assert.match(error.message, /cannot be reached/);
    return true;
  });
});
