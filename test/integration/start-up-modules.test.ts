/**
 * What starting the app leaves unloaded: exceljs (over 150 files) comes with the first XLSX, not
 * with every server and test process. Checked in this file's own process, which imports nothing
 * that loads it first.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
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
