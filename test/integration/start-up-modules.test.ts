/**
 * What starting the app leaves unloaded: exceljs (over 150 files) comes with the first XLSX, not
 * with every server and test process; Fastify's default schema compilers (ajv,
 * fast-json-stringify) are never loaded, since every schema is zod; a database driver's npm
 * package (mysql2, pg-cursor) comes with the first pool of that driver, and pg with a PostgreSQL
 * store or pool. Checked in this file's own
 * process, which imports nothing that loads them first.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { openDataSource } from '../../src/datasources/registry.ts';
import { AppError } from '../../src/errors.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const loaded = (name: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${name}/`));

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('exceljs is loaded by the first XLSX download, not by start-up', async () => {
  assert.ok(loaded('fastify'), 'the check sees modules the app did load');
  await t.app.server.inject({
    url: '/api/call/customer-by-id/?_id=7',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(loaded('exceljs'), false, 'a JSON run does not load exceljs');
  const response = await t.app.server.inject({
    url: '/api/call/customer-by-id/xlsx/?_id=7',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.rawPayload.subarray(0, 2).toString(), 'PK', 'an XLSX file is a zip archive');
  assert.ok(loaded('exceljs'));
});

test('validation and serialisation are zod only: ajv and fast-json-stringify are never loaded', async () => {
  const invalid = await t.app.server.inject({
    url: '/api/admin/audit/?from=not-a-time',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(invalid.statusCode, 400, invalid.body);
  assert.match(invalid.json().message, /from/, 'the zod complaint names the field');
  const valid = await t.app.server.inject({
    url: '/api/admin/audit/',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(valid.statusCode, 200, valid.body);
  assert.ok(Array.isArray(valid.json().records), 'the response schema serialised the records');
  const openapi = await t.app.server.inject({ url: '/api/openapi.json' });
  assert.equal(openapi.statusCode, 200);
  assert.equal(loaded('ajv'), false, 'ajv is not loaded');
  assert.equal(loaded('@fastify/ajv-compiler'), false);
  assert.equal(loaded('@fastify/fast-json-stringify-compiler'), false);
});

test('mysql2 and pg-cursor are loaded with the first pool of their driver, not by start-up', async () => {
  await t.app.server.inject({
    url: '/api/call/customer-by-id/?_id=7',
    headers: { authorization: t.adminHeader },
  });
  assert.equal(loaded('mysql2'), false, 'a SQLite report run does not load mysql2');
  assert.equal(loaded('pg-cursor'), false, 'nor pg-cursor');
  assert.equal(loaded('pg'), false, 'nor pg, with a SQLite metadata store');
  const source = openDataSource(
    'mysql',
    { url: 'mysql://reader@127.0.0.1:9/none', connect_timeout_ms: 200 },
    { poolSize: 1, statementTimeoutMs: 1000 },
  );
  assert.equal(loaded('mysql2'), false, 'opening a pool connects nothing and loads nothing yet');
  await assert.rejects(source.test(), (error: unknown) => error instanceof AppError);
  assert.ok(loaded('mysql2'), 'the first call on a MySQL pool loaded the driver');
  await source.close();
});
