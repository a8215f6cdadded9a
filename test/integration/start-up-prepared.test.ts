/**
 * A start on a prepared install (the demo already set up, so nothing is imported at start) loads
 * only what every request needs: the packages some requests or some configurations need come
 * with their first use. Checked in this file's own process, which builds the app with the demo
 * off and imports nothing that loads them first. (ESM-only packages such as openid-client do not
 * show in the require cache; their deferral is checked by reading the server's own imports.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDemoDatabase } from '../../src/demo/demo-database.ts';
import { internalContext } from '../../src/services/request-context.ts';

const loaded = (name: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${name}/`));

const DEFERRED = [
  'yaml',
  'diff',
  'mysql2',
  'pg',
  'pg-cursor',
  'nodemailer',
  'exceljs',
  'pg-boss',
  'ajv',
  '@fastify/swagger',
  'json-schema-resolver',
  '@opentelemetry/api',
];

let app: App;
let dataDir: string;
let header: string;
before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'secure-reporter-prepared-'));
  app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' }));
  const admin = internalContext(app.config.adminGroup);
  header = (
    await app.services.tokens.create(admin, {
      name: 'prepared',
      expiry: '1d',
      groups: [app.config.adminGroup, '*'],
    })
  ).header;
});
after(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the start leaves every deferred package unloaded, and serves requests without them', async () => {
  assert.ok(loaded('fastify'), 'the check sees modules the app did load');
  const health = await app.server.inject({ url: '/healthz' });
  assert.equal(health.statusCode, 200);
  const list = await app.server.inject({
    url: '/api/admin/connections/',
    headers: { authorization: header },
  });
  assert.equal(list.statusCode, 200, list.body);
  for (const name of DEFERRED) assert.equal(loaded(name), false, `${name} is not loaded by the start`);
});

test('yaml comes with the first bundle, diff with the first report version', async () => {
  const file = path.join(dataDir, 'prepared.sqlite');
  createDemoDatabase(file);
  const bundle = {
    connections: [{ name: 'prepared', driver: 'sqlite', settings: { file }, create_cluster: true }],
    reports: [{ name: 'Regions', cluster: 'prepared', groups: ['*'], sql: 'select id, name from region' }],
  };
  const imported = await app.server.inject({
    method: 'POST',
    url: '/api/admin/bundle/import/',
    headers: { authorization: header, 'content-type': 'application/json' },
    payload: bundle,
  });
  assert.equal(imported.statusCode, 200, imported.body);
  assert.ok(loaded('yaml'), 'reading the bundle loaded yaml');
  assert.ok(loaded('diff'), 'the report version diff loaded diff');
  const exported = await app.server.inject({
    url: '/api/admin/bundle/export/?format=yaml',
    headers: { authorization: header },
  });
  assert.equal(exported.statusCode, 200, exported.body);
  assert.match(exported.body, /name: Regions/);
  const run = await app.server.inject({ url: '/api/call/regions/', headers: { authorization: header } });
  assert.equal(run.statusCode, 200, run.body);
  assert.ok(run.json().records.length > 0, 'the SQLite driver, loaded on first use, ran the report');
});

test('the OpenAPI generator comes with the first request for the document, which is then kept', async () => {
  const first = await app.server.inject({ url: '/api/openapi.json' });
  assert.equal(first.statusCode, 200, first.body);
  assert.ok(loaded('@fastify/swagger'));
  const document = first.json();
  assert.equal(document.openapi, '3.0.3');
  assert.ok(document.paths['/api/call/{report}/'], 'the report call route, declared after the collector');
  assert.deepEqual(document.paths['/healthz'].get.security, [], 'a public route needs no credentials');
  const second = await app.server.inject({ url: '/api/openapi.json' });
  assert.equal(second.body, first.body, 'the same document again');
});

test('the process metrics come with their start (after listen, or the first scrape), once', async () => {
  app.metrics.startProcessMetrics();
  app.metrics.startProcessMetrics();
  assert.ok(loaded('@opentelemetry/api'), 'prom-client loaded its process metrics');
  const text = await app.metrics.registry.metrics();
  assert.match(text, /^secure_reporter_process_cpu_user_seconds_total \d/m);
  assert.equal(text.match(/^# TYPE secure_reporter_process_cpu_user_seconds_total /gm)?.length, 1);
});
