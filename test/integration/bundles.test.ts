import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { internalContext } from '../../src/services/request-context.ts';
import { cli } from '../helpers/cli.ts';
import { READER_USER } from '../helpers/databases.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

const admin = () => ({ authorization: t.adminHeader });
const importText = (payload: string, contentType = 'application/yaml') =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/bundle/import/',
    headers: { ...admin(), 'content-type': contentType },
    payload,
  });

const bundle = (sql: string) => ({
  connections: [
    {
      name: 'extra',
      driver: 'sqlite',
      settings: { file: path.join(t.dataDir, 'demo.sqlite') },
      create_cluster: false,
    },
  ],
  clusters: [{ name: 'extra', connections: ['extra'] }],
  reports: [{ name: 'Region names', cluster: 'extra', groups: ['*'], sql }],
});

describe('bundles', () => {
  test('import is idempotent by name and a second import updates in place', async () => {
    const first = await importText(stringify(bundle('select name from region order by id')));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json().records[0], {
      connections: 1,
      clusters: 1,
      reports: 1,
      group_lists: 0,
      access_groups: 0,
    });
    const id = (await t.app.services.reports.resolve(internalContext('admin'), 'region-names')).id;
    const second = await importText(
      JSON.stringify(bundle('select name from region order by id desc')),
      'application/json',
    );
    assert.equal(second.statusCode, 200);
    const report = await t.app.services.reports.resolve(internalContext('admin'), 'region-names');
    assert.equal(report.id, id, 'same report, not a copy');
    assert.match(report.sql, /desc/);
    const names = (await t.app.services.connections.list(internalContext('admin'))).map((c) => c.name);
    assert.equal(names.filter((name) => name === 'extra').length, 1);
  });

  test('a bad entry is named, and nothing of the bundle is kept', async () => {
    const bad = {
      connections: [{ name: 'half-way', driver: 'sqlite', settings: { file: '/tmp/x.sqlite' } }],
      reports: [{ name: 'Broken', cluster: 'no-such-cluster', sql: 'select 1' }],
    };
    const response = await importText(stringify(bad));
    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /Report "Broken": .*no cluster named "no-such-cluster"/);
    const names = (await t.app.services.connections.list(internalContext('admin'))).map((c) => c.name);
    assert.ok(!names.includes('half-way'), 'the transaction rolled back');
    const unparsable = await importText('reports: [ {');
    assert.equal(unparsable.statusCode, 400);
    assert.match(unparsable.json().message, /not valid YAML or JSON/);
  });

  test('export leaves secrets out and imports back to the same definitions', async () => {
    await t.app.services.connections.save(internalContext('admin'), {
      name: 'pg-secret',
      driver: 'postgres',
      settings: { host: '127.0.0.1', database: 'test', user: READER_USER, password: 'hunter2-secret' },
    });
    const exported = await t.app.server.inject({
      url: '/api/admin/bundle/export/?format=yaml',
      headers: admin(),
    });
    assert.equal(exported.statusCode, 200);
    assert.ok(!exported.body.includes('hunter2-secret'));
    assert.match(exported.body, /name: Orders by status/);
    const listed = await t.app.server.inject({ url: '/api/admin/connections/', headers: admin() });
    assert.ok(!listed.body.includes('hunter2-secret'));
    assert.equal(
      listed.json().records.find((c: { name: string }) => c.name === 'pg-secret').settings.has_password,
      true,
    );
    const stored = await t.app.store.db
      .selectFrom('connection')
      .selectAll()
      .where('name', '=', 'pg-secret')
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(stored).includes('hunter2-secret'), 'the password is encrypted at rest');
    const before = await t.app.services.reports.list(internalContext('admin'));
    const again = await importText(exported.body);
    assert.equal(again.statusCode, 200, again.body);
    const afterImport = await t.app.services.reports.list(internalContext('admin'));
    assert.deepEqual(
      afterImport.map(({ updatedAt: _u, ...r }) => r),
      before.map(({ updatedAt: _u, ...r }) => r),
    );
  });

  test('the CLI imports a file and exports JSON', async () => {
    const file = path.join(t.dataDir, 'cli-bundle.yaml');
    writeFileSync(file, stringify(bundle('select id from region')));
    const env = { DATA_DIR: t.dataDir, DEMO: 'false' };
    const imported = await cli(['import', file], env);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /Imported 1 connection\(s\), 1 cluster\(s\), 1 report\(s\)/);
    const exported = await cli(['export', '--format', 'json'], env);
    assert.equal(exported.code, 0, exported.err);
    assert.ok(JSON.parse(exported.out).reports.some((r: { name: string }) => r.name === 'Region names'));
    const missing = await cli(['import', '/no/such/file'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /Cannot read the bundle file/);
  });
});

test('an editor imports reports only, and each becomes a draft for review', async () => {
  const editor = await createToken(t, 'bundle-editor', ['editor']);
  const post = (payload: object) =>
    t.app.server.inject({
      method: 'POST',
      url: '/api/admin/bundle/import/',
      headers: { authorization: editor, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const withConnection = await post({
    connections: [{ name: 'sneaky', driver: 'sqlite', settings: { file: '/tmp/x.sqlite' } }],
  });
  assert.equal(withConnection.statusCode, 403);
  assert.match(withConnection.json().message, /Only admins import connections/);
  const reportsOnly = await post({
    reports: [{ name: 'Select test', cluster: 'demo', groups: ['*'], sql: 'select 2 as changed' }],
  });
  assert.equal(reportsOnly.statusCode, 200, reportsOnly.body);
  const live = await t.app.server.inject({
    url: '/api/call/select-test/',
    headers: { authorization: t.adminHeader },
  });
  assert.notDeepEqual(live.json().records, [{ changed: 2 }], 'the live version is unchanged');
  const versions = await t.app.server.inject({
    url: '/api/admin/reports/select-test/versions/',
    headers: { authorization: t.adminHeader },
  });
  assert.ok(versions.json().records.some((v: { state: string }) => v.state === 'draft'));
});
