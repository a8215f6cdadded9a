/**
 * The privilege check, through the HTTP API against the real servers: a report connection that
 * signs in as a PostgreSQL superuser or member of the server-file roles, or as a MariaDB user with
 * FILE or a write grant, is refused at save, at test and at run — unless an admin set
 * `allow_privileged_user`, which the audit records. A least-privilege reader works.
 *
 * The users are made here through the npm drivers as the servers' superusers (fixture setup, not
 * the code under test); that needs the superuser URLs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  createMysqlUser,
  createPostgresReader,
  mysqlAdminUrl,
  mysqlUrl,
  postgresAdminUrl,
  postgresUrl,
  withUser,
} from '../helpers/databases.ts';
import { postgresReachable } from '../helpers/postgres-database.ts';
import { unavailable } from '../helpers/skip-or-fail.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const pgOk = await postgresReachable();
const mysqlOk = await mysql
  .createConnection({ uri: mysqlAdminUrl, connectTimeout: 2000 })
  .then((c) => c.end().then(() => true))
  .catch(() => unavailable(`MariaDB not reachable at ${mysqlAdminUrl}`) === '');

const PASSWORD = 'sr-test-pw';
const pgAs = (role: string) => withUser(postgresAdminUrl, role, PASSWORD);

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let t: TestApp;
const admin = () => ({ authorization: t.adminHeader });

function saveConnection(name: string, driver: string, settings: object) {
  return t.app.server.inject({
    method: 'POST',
    url: '/api/admin/connections/',
    headers: admin(),
    payload: { name, driver, settings },
  });
}

async function addReport(name: string, cluster: string, sql: string): Promise<string> {
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin(),
    payload: { name, cluster, sql, groups: ['*'] },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().records[0].slug;
}

const call = (slug: string) => t.app.server.inject({ url: `/api/call/${slug}/`, headers: admin() });
const connectionNamed = async (name: string) =>
  (await t.app.server.inject({ url: '/api/admin/connections/', headers: admin() }))
    .json()
    .records.find((c: { name: string }) => c.name === name);

before(async () => {
  t = await createTestApp();
});
after(() => t?.close());

describe('PostgreSQL privilege check', { skip: !pgOk }, () => {
  before(async () => {
    // Idempotent: other suites (and other runs) may hold these roles already.
    await pgAdmin(`do $$ begin create role sr_test_super login superuser password '${PASSWORD}';
      exception when duplicate_object then null; end $$`);
    await pgAdmin(`do $$ begin create role sr_test_file_group nologin;
      exception when duplicate_object then null; end $$`);
    await pgAdmin('grant pg_read_server_files to sr_test_file_group');
    await createPostgresReader('sr_test_files', PASSWORD);
    // Membership through another role counts: pg_has_role(…, 'MEMBER') follows the chain.
    await pgAdmin('grant sr_test_file_group to sr_test_files');
    await createPostgresReader('sr_test_promoted', PASSWORD);
    await pgAdmin('alter role sr_test_promoted nosuperuser');
  });
  after(async () => {
    if (pgOk) await pgAdmin('alter role sr_test_promoted nosuperuser');
  });

  test('a superuser connection is refused at save, naming the connection and the privilege', async () => {
    const response = await saveConnection('pg-super', 'postgres', { url: pgAs('sr_test_super') });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(
      response.json().message,
      'The connection "pg-super" signs in as a database superuser; create a read-only user (docs/security.md) or set allow_privileged_user',
    );
    assert.equal(await connectionNamed('pg-super'), undefined);
  });

  test('a member of pg_read_server_files (through another role) is refused at save', async () => {
    const response = await saveConnection('pg-files', 'postgres', { url: pgAs('sr_test_files') });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /"pg-files" signs in as a member of pg_read_server_files;/);
  });

  test('a least-privilege reader is saved, tested and runs, with a clean finding', async () => {
    const saved = await saveConnection('pg-reader', 'postgres', { url: postgresUrl });
    assert.equal(saved.statusCode, 201, saved.body);
    const view = saved.json().records[0];
    assert.equal(view.allow_privileged_user, false);
    assert.equal(view.privilege_check.privileged, false);
    assert.deepEqual(view.privilege_check.findings, []);
    const tested = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/pg-reader/test/',
      headers: admin(),
    });
    assert.equal(tested.statusCode, 200, tested.body);
    const slug = await addReport('PG reader user', 'pg-reader', 'select current_user as who');
    const run = await call(slug);
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().records[0].who, 'sr_report_reader');
  });

  test('a user made superuser after save is refused at test and at run (pool open)', async () => {
    const saved = await saveConnection('pg-promoted', 'postgres', { url: pgAs('sr_test_promoted') });
    assert.equal(saved.statusCode, 201, saved.body);
    const slug = await addReport(
      'Read a server file',
      'pg-promoted',
      "select pg_read_file('/etc/hostname') as f",
    );
    await pgAdmin('alter role sr_test_promoted superuser');

    const run = await call(slug);
    assert.equal(run.statusCode, 403, run.body);
    assert.match(run.json().message, /"pg-promoted" signs in as a database superuser/);

    const tested = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/pg-promoted/test/',
      headers: admin(),
    });
    assert.equal(tested.statusCode, 403, tested.body);
    assert.match(tested.json().message, /signs in as a database superuser; create a read-only user/);
    const view = await connectionNamed('pg-promoted');
    assert.equal(view.privilege_check.privileged, true);
    assert.deepEqual(view.privilege_check.findings, ['a database superuser']);
  });

  test('with allow_privileged_user an admin may save and run it, and the audit says so', async () => {
    const saved = await saveConnection('pg-super-allowed', 'postgres', {
      url: pgAs('sr_test_super'),
      allow_privileged_user: true,
    });
    assert.equal(saved.statusCode, 201, saved.body);
    const view = saved.json().records[0];
    assert.equal(view.allow_privileged_user, true);
    assert.equal(view.privilege_check.privileged, true);
    const slug = await addReport('Allowed superuser', 'pg-super-allowed', 'select current_user as who');
    const run = await call(slug);
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().records[0].who, 'sr_test_super');

    const audit = await t.app.server.inject({ url: '/api/admin/audit/', headers: admin() });
    const record = audit
      .json()
      .records.find(
        (r: { action: string; params: { name?: string } }) =>
          r.action === 'connection.create' && r.params.name === 'pg-super-allowed',
      );
    assert.ok(record, 'the connection.create audit record exists');
    assert.equal(record.params.allow_privileged_user, true);
    assert.deepEqual(record.params.privileges_found, ['a database superuser']);
  });

  test('the setting must be a real boolean', async () => {
    const response = await saveConnection('pg-bad-flag', 'postgres', {
      url: postgresUrl,
      allow_privileged_user: 'yes',
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /"allow_privileged_user"/);
  });
});

describe('MariaDB privilege check', { skip: !mysqlOk }, () => {
  const myAs = (user: string) => withUser(mysqlAdminUrl, user, PASSWORD);
  before(async () => {
    await createMysqlUser('sr_test_file', PASSWORD, 'select on $db.*');
    await createMysqlUser('sr_test_file', PASSWORD, 'file on *.*');
    await createMysqlUser('sr_test_insert', PASSWORD, 'select, insert on $db.*');
  });

  test('a user with FILE is refused at save', async () => {
    const response = await saveConnection('my-file', 'mysql', { url: myAs('sr_test_file') });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /"my-file" signs in as a user with FILE on \*\.\*;/);
  });

  test('a user with INSERT on the database is refused at save', async () => {
    const response = await saveConnection('my-insert', 'mysql', { url: myAs('sr_test_insert') });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /"my-insert" signs in as a user with INSERT on `test`\.\*;/);
  });

  test('the least-privilege reader is saved and runs', async () => {
    const saved = await saveConnection('my-reader', 'mysql', { url: mysqlUrl });
    assert.equal(saved.statusCode, 201, saved.body);
    assert.equal(saved.json().records[0].privilege_check.privileged, false);
    const slug = await addReport('MariaDB reader user', 'my-reader', 'select 1 as one');
    const run = await call(slug);
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().records[0].one, 1);
  });
});
