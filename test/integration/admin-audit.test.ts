import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditRepo } from '../../src/store/audit-repo.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let plain: string;
before(async () => {
  t = await createTestApp({ CUSTOM_FEATURES: 'audit' });
  plain = await createToken(t, 'audit-reader', ['*']);
  const run = await t.app.server.inject({ url: '/api/call/select-test/', headers: { authorization: plain } });
  assert.equal(run.statusCode, 200, run.body);
  await auditRepo(t.app.store.db).insert({
    at: '2020-03-04T05:06:07.000Z',
    principal: 'someone-old',
    action: 'report.run',
    report: 'select-test',
    outcome: 'ok',
  });
});
after(() => t.close());

const audit = (query = '', authorization = t.adminHeader) =>
  t.app.server.inject({ url: `/api/admin/audit/${query}`, headers: { authorization } });

describe('audit API', () => {
  test('an admin reads audit records, newest first, with parsed parameters', async () => {
    const response = await audit();
    assert.equal(response.statusCode, 200, response.body);
    const { records } = response.json();
    assert.ok(records.length >= 3);
    const times = records.map((r: { at: string }) => r.at);
    assert.deepEqual(times, [...times].sort().reverse());
    const run = records.find((r: { principal: string }) => r.principal === 'audit-reader');
    assert.deepEqual(Object.keys(run).sort(), [
      'action',
      'at',
      'client',
      'connections',
      'duration_ms',
      'error',
      'outcome',
      'params',
      'principal',
      'report',
      'request_id',
      'row_count',
      'sql',
    ]);
    assert.equal(run.action, 'report.run');
    assert.equal(run.report, 'select-test');
    assert.equal(run.outcome, 'ok');
    assert.equal(typeof run.params, 'object');
    assert.equal(typeof run.row_count, 'number');
    const created = records.find((r: { action: string }) => r.action === 'token.create');
    assert.equal(created.params.name, 'audit-reader');
  });

  test('a non-admin token is refused with 403', async () => {
    const response = await audit('', plain);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().ok, false);
    assert.deepEqual(response.json().records, []);
  });

  test('filters by principal, action, report and time, and limits', async () => {
    const byPrincipal = (await audit('?principal=audit-reader')).json().records;
    assert.ok(byPrincipal.length >= 1);
    assert.ok(byPrincipal.every((r: { principal: string }) => r.principal === 'audit-reader'));

    const byAction = (await audit('?action=token.create')).json().records;
    assert.ok(byAction.length >= 1);
    assert.ok(byAction.every((r: { action: string }) => r.action === 'token.create'));

    const old = (await audit('?report=select-test&from=2020-03-01&to=2020-03-04')).json().records;
    assert.deepEqual(
      old.map((r: { principal: string }) => r.principal),
      ['someone-old'],
    );
    const earlier = (await audit('?to=2020-03-03')).json().records;
    assert.deepEqual(earlier, []);
    const recent = (await audit('?from=2021-01-01T00:00:00Z')).json().records;
    assert.ok(!recent.some((r: { principal: string }) => r.principal === 'someone-old'));

    assert.equal((await audit('?limit=1')).json().records.length, 1);
  });

  test('bad filters are 400', async () => {
    assert.equal((await audit('?limit=1001')).statusCode, 400);
    assert.equal((await audit('?from=yesterday')).statusCode, 400);
  });
});
