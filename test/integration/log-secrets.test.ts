/**
 * The real server's log output (a child process, stdout and stderr, at level info) for requests
 * carrying credentials: in query parameters of every credential-like name and letter case,
 * smuggled past the name, as connection URLs in values, in a database's error text, and in the
 * settings of a connection that cannot be reached. None of the secrets may appear.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../helpers/http-call.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
const admin = () => ({ authorization: server.adminHeader });
/** Every value below that holds `leak-` is a secret. */
const SECRET = /leak-[a-z0-9-]+/g;

before(async () => {
  server = await startServerProcess({ LOG_LEVEL: 'info' });
  const connection = await call(server.url, '/api/admin/connections/', {
    method: 'POST',
    headers: admin(),
    body: {
      name: 'log-dead',
      driver: 'postgres',
      settings: { url: 'postgres://leak-conn-user:leak-conn-password@127.0.0.1:1/x' },
    },
  });
  assert.equal(connection.status, 201, JSON.stringify(connection.json));
  for (const report of [
    // SQLite's error quotes the path it refuses, so the caller's value lands in the database's text.
    { name: 'log-echo', cluster: 'demo', sql: "select json_extract('{}', :_path) as v" },
    { name: 'log-dead', cluster: 'log-dead', sql: 'select 1 as n' },
  ]) {
    const created = await call(server.url, '/api/admin/reports/', {
      method: 'POST',
      headers: admin(),
      body: { ...report, groups: ['*'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
  }
});
after(() => server?.stop());

test('no credential sent in a URL, echoed by a database or set on a connection reaches the log', async () => {
  const names = ['token', 'TOKEN', 'Access_Token', 'api_key', 'APIKEY', 'authorization', 'auth_token'];
  const refused = names.map((name, i) => `${name}=leak-query-${i}`).join('&');
  const requests: Array<[string, number]> = [
    [`/api/server_time/?${refused}`, 400],
    [
      '/api/call/select-test/?_select_test_one=1&Password=leak-pw-1&Client_Secret=leak-secret-2&x_api_key=leak-key-3',
      200,
    ],
    ['/api/call/select-test/?_select_test_one=1?token=leak-second-mark', 400],
    ['/api/call/select-test/?token%3Dleak-in-the-name', 200],
    ['/api/call/log-echo/?_path=postgres://leak-db-user:leak-db-password@db.internal/x', 400],
    [
      `/api/call/log-echo/?_path=${encodeURIComponent('mysql://root:leak-encoded@db/x?password=leak-nested')}`,
      400,
    ],
    ['/api/call/log-dead/', 502],
  ];
  const ids: string[] = [];
  for (const [url, status] of requests) {
    const response = await call(server.url, url, { headers: admin() });
    assert.equal(response.status, status, `${url}: ${JSON.stringify(response.json)}`);
    ids.push(String(response.headers['x-request-id']));
  }
  // The admin may see the database text, which quotes the value it was sent.
  const echo = await call(server.url, '/api/call/log-echo/?_path=shown-to-admin', {
    headers: admin(),
  });
  assert.match(echo.json.message, /bad JSON path: 'shown-to-admin'/);
  ids.push(String(echo.headers['x-request-id']));

  const deadline = Date.now() + 5000;
  while (!ids.every((id) => server.output().includes(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const output = server.output();
  for (const id of ids) assert.ok(output.includes(id), `no log line for request ${id}`);
  assert.deepEqual(output.match(SECRET), null, 'secrets in the log');
  // The lines are there, redacted, not dropped.
  const lines = output.split('\n').filter((line) => line.startsWith('{'));
  const failure = lines.find((line) => line.includes('report failed on the database'));
  assert.match(String(failure), /bad JSON path: 'postgres:\/\/\[redacted\]@db\.internal\/x'/);
  assert.ok(
    lines.some((line) => line.includes('Password=[redacted]&Client_Secret=[redacted]&x_api_key=[redacted]')),
  );
});
