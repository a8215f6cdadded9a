/**
 * Two instances on one PostgreSQL metadata store, each keeping tokens, report definitions,
 * cluster members and access-group entries in memory (issue 11): every change made through one
 * instance is honoured by the very next request on the other, request by request, and between
 * changes a report call reads nothing from the store but the change counter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { setUpDemoOnce } from '../../src/demo/demo-setup.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';

const reachable = await postgresReachable();

let database: { url: string; drop(): Promise<void> } | undefined;
const apps: App[] = [];
const dirs: string[] = [];
let adminHeader = '';
let readerHeader = '';
let itemsFile = '';
let entryId = 0;

async function instance(url: string): Promise<App> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secure-reporter-cache-'));
  dirs.push(dataDir);
  const app = await buildApp(
    loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, SECRET_KEY: 'k'.repeat(48), LOG_LEVEL: 'silent' }),
  );
  apps.push(app);
  return app;
}

async function send(app: App, method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const response = await app.server.inject({ method, url, headers: { authorization: adminHeader }, payload });
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as { records: Array<Record<string, unknown>> };
}

/** The reader's call of the report on `app`: the status and the ids it answered. */
async function call(app: App) {
  const response = await app.server.inject({
    url: '/api/call/cached-items/',
    headers: { authorization: readerHeader },
  });
  const body = response.json() as { message: string; records: Array<{ id: number }> };
  return { status: response.statusCode, message: body.message, ids: body.records.map((r) => r.id) };
}

/** Metadata-store selects `app` has made so far (its store query histogram). */
async function storeSelects(app: App): Promise<number> {
  const { values } = await app.metrics.storeQueryDuration.get();
  return values
    .filter((v) => v.metricName?.endsWith('_count') && v.labels.operation === 'select')
    .reduce((sum, v) => sum + v.value, 0);
}

const reportBody = (sql: string) => ({
  name: 'Cached items',
  cluster: 'cached-items-db',
  groups: ['staff'],
  sql,
  active: true,
});

before(async () => {
  if (!reachable) return;
  database = await createPostgresDatabase('sr_metadata_cache');
  const first = await instance(database.url);
  adminHeader = (await setUpDemoOnce(first)) ?? '';
  await instance(database.url);
  itemsFile = path.join(dirs[0] ?? tmpdir(), 'items.sqlite');
  const items = new Database(itemsFile);
  items.exec(`create table item (id integer primary key, grp text);
    insert into item values (1, 'a'), (2, 'b'), (3, 'a');`);
  items.close();
  await send(first, 'POST', '/api/admin/connections/', {
    name: 'cached-items-db',
    driver: 'sqlite',
    settings: { file: itemsFile },
  });
  const entry = { table: 'item', group: 'staff', where: "grp = 'a'" };
  entryId = Number((await send(first, 'POST', '/api/admin/access-groups/', entry)).records[0]?.id);
  await send(
    first,
    'POST',
    '/api/admin/reports/',
    reportBody('select id from item where {{ access_group.item }} order by id'),
  );
  const token = await send(first, 'POST', '/api/admin/tokens/', {
    name: 'cache-reader',
    groups: ['staff'],
    expiry: '1d',
  });
  readerHeader = String(token.records[0]?.header);
});

after(async () => {
  for (const app of apps) await app.close();
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('between changes a report call reads only the change counter from the store', {
  skip: !reachable,
}, async () => {
  const [, two] = apps;
  assert.ok(two);
  assert.deepEqual((await call(two)).ids, [1, 3]);
  const before = await storeSelects(two);
  assert.deepEqual((await call(two)).ids, [1, 3]);
  // One read of the counter for the whole request: token, report, members and access groups
  // all come from memory.
  assert.equal((await storeSelects(two)) - before, 1);
});

test('a change through one instance is honoured by the next request on the other', {
  skip: !reachable,
}, async () => {
  const [one, two] = apps;
  assert.ok(one && two);
  assert.deepEqual((await call(two)).ids, [1, 3]);

  await send(one, 'DELETE', `/api/admin/access-groups/${entryId}/`);
  assert.deepEqual((await call(two)).ids, [], 'access-group entry deleted: no rows');
  await send(one, 'POST', '/api/admin/access-groups/', { table: 'item', group: 'staff', where: "grp = 'b'" });
  assert.deepEqual((await call(two)).ids, [2], 'access-group entry added');

  await send(
    one,
    'PUT',
    '/api/admin/reports/cached-items/',
    reportBody('select id * 10 as id from item order by id'),
  );
  assert.deepEqual((await call(two)).ids, [10, 20, 30], 'report edited');

  const connection = { driver: 'sqlite', settings: { file: itemsFile } };
  await send(one, 'PUT', '/api/admin/connections/cached-items-db/', { ...connection, active: false });
  const off = await call(two);
  assert.notEqual(off.status, 200, 'connection switched off');
  assert.match(off.message, /no active connection/);
  await send(one, 'PUT', '/api/admin/connections/cached-items-db/', { ...connection, active: true });
  assert.deepEqual((await call(two)).ids, [10, 20, 30], 'connection switched on again');

  await send(one, 'PUT', '/api/admin/reports/cached-items/', {
    ...reportBody('select 1 as id'),
    groups: ['others'],
  });
  assert.equal((await call(two)).status, 403, 'report groups changed');
  await send(one, 'PUT', '/api/admin/reports/cached-items/', reportBody('select 1 as id'));
  assert.deepEqual((await call(two)).ids, [1]);

  await send(one, 'DELETE', '/api/admin/tokens/cache-reader/');
  assert.equal((await call(two)).status, 401, 'token deleted');
  assert.equal((await call(one)).status, 401, 'token deleted, on the instance that deleted it');
});
