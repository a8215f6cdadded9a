/**
 * Backup and restore through the CLI: an online backup while the app has the store open, the
 * DATA_DIR destroyed and restored, and the old token and an encrypted PostgreSQL connection (a
 * least-privilege role with a password) working again. The commands run in this process; the
 * DATA_DIR lock still refuses a restore, as SQLite's locks hold between connections of a process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createBackup } from '../../src/services/backup.ts';
import { packArchive, unpackArchive } from '../../src/services/backup-archive.ts';
import { restoreBackup } from '../../src/services/restore.ts';
import { cli as runCli } from '../helpers/cli.ts';
import { postgresAdminUrl } from '../helpers/databases.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

const reachable = await postgresReachable();
const role = `sr_backup_${process.pid}`;
const password = 'least-Privilege-9';
let database: { url: string; drop(): Promise<void> };
let t: TestApp;
let token = '';
const backupFile = () => path.join(path.dirname(t.dataDir), `${path.basename(t.dataDir)}.tar.gz`);

async function sql(url: string, ...statements: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const statement of statements) await client.query(statement);
  await client.end();
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { DATA_DIR: t.dataDir, ...env });

/** The server entry in a child process: what it proves is how that process ends. */
function serve(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, DATA_DIR: t.dataDir, PORT: '0', HOST: '127.0.0.1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

before(async () => {
  if (!reachable) return;
  database = await createPostgresDatabase('sr_backup');
  await sql(
    database.url,
    'create table inventory (id int primary key, item text)',
    "insert into inventory values (1, 'widget'), (2, 'gadget')",
    `create role ${role} login password '${password}'`,
    `grant select on inventory to ${role}`,
  );
  t = await createTestApp();
  token = await createToken(t, 'kept', ['*']);
  const admin = { authorization: t.adminHeader };
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/connections/',
    headers: admin,
    payload: {
      name: 'pg-least',
      driver: 'postgres',
      settings: {
        host: '127.0.0.1',
        user: role,
        password,
        database: new URL(database.url).pathname.slice(1),
      },
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const report = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin,
    payload: {
      name: 'Inventory',
      cluster: 'pg-least',
      groups: ['*'],
      sql: 'select item from inventory order by id',
    },
  });
  assert.equal(report.statusCode, 201, report.body);
});

after(async () => {
  if (!reachable) return;
  await t.app.close().catch(() => {});
  rmSync(t.dataDir, { recursive: true, force: true });
  rmSync(backupFile(), { force: true });
  await database.drop();
  await sql(postgresAdminUrl, `drop role if exists ${role}`);
});

// In-process where what a test proves does not depend on a second process.
const config = () => loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });

const inventory = (app: TestApp['app']) =>
  app.server.inject({ url: '/api/call/inventory/', headers: { authorization: token } });

describe('backup and restore', { skip: !reachable }, () => {
  test('an online backup while the app runs; restore over it is refused', async () => {
    assert.match((await inventory(t.app)).body, /widget/);
    const backup = await cli(['backup', '--out', backupFile()]);
    assert.equal(backup.code, 0, backup.err);
    assert.equal(statSync(backupFile()).mode & 0o777, 0o600);
    const names = (await unpackArchive(readFileSync(backupFile()))).map((entry) => entry.name);
    for (const name of ['manifest.json', 'store.sqlite', 'secret-key', 'demo.sqlite'])
      assert.ok(names.includes(name), name);
    const live = await cli(['restore', backupFile()]);
    assert.equal(live.code, 3, live.err);
    assert.match(live.err, /is using .* stop it before restoring/);
  });

  test('DATA_DIR destroyed and restored: the token and the encrypted connection work again', async () => {
    await t.app.close();
    rmSync(t.dataDir, { recursive: true, force: true });
    const restored = await cli(['restore', backupFile()]);
    assert.equal(restored.code, 0, restored.err);
    assert.equal(statSync(path.join(t.dataDir, 'secret-key')).mode & 0o777, 0o600);
    const app = await buildApp(loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }), { jobs: false });
    try {
      const response = await inventory(app);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(response.body, /widget.*gadget/s);
    } finally {
      await app.close();
    }
  });

  test('a second restore keeps the files it replaces aside', async () => {
    await restoreBackup(config(), backupFile());
    const aside = readdirSync(t.dataDir).filter((name) => name.includes('.before-restore-'));
    for (const name of ['secure-reporter.sqlite', 'secret-key', 'demo.sqlite'])
      assert.ok(
        aside.some((file) => file.startsWith(`${name}.before-restore-`)),
        `${name} in ${aside}`,
      );
  });

  test('a backup without its key is refused', async () => {
    const keyless = path.join(t.dataDir, 'keyless.tar.gz');
    const entries = (await unpackArchive(readFileSync(backupFile()))).filter(
      (entry) => entry.name !== 'secret-key',
    );
    writeFileSync(keyless, await packArchive(entries));
    await assert.rejects(restoreBackup(config(), keyless), /The backup holds no server key/);
  });

  test('starting with a wrong SECRET_KEY stops with the cause named', () => {
    const start = serve({ SECRET_KEY: 'w'.repeat(40) });
    assert.equal(start.code, 1, start.out);
    assert.match(
      start.err,
      /The server key from SECRET_KEY does not decrypt the stored connection secrets \(connection "demo"\)/,
    );
  });
});

describe('backup on a PostgreSQL store', { skip: !reachable }, () => {
  test('an unreachable store exits non-zero, naming it without its password', async () => {
    const result = await cli(['backup'], { DATABASE_URL: 'postgres://reporter:hunter22@127.0.0.1:1/store' });
    assert.equal(result.code, 1, result.err);
    assert.match(
      result.out,
      /pg_dump --format=custom --file=secure-reporter.dump 'postgres:\/\/reporter@127.0.0.1:1\/store'/,
    );
    assert.match(result.err, /The metadata store postgres:\/\/reporter@127.0.0.1:1\/store is not reachable/);
    assert.doesNotMatch(result.out + result.err, /hunter22/);
  });

  test('a reachable store: the key and files are saved, the store is left to pg_dump', async () => {
    const store = await createPostgresDatabase('sr_backup_store');
    const dataDir = `${t.dataDir}-pg`;
    try {
      const env = { DATA_DIR: dataDir, DATABASE_URL: store.url, LOG_LEVEL: 'silent', DEMO: 'false' };
      await (await buildApp(loadConfig(env), { jobs: false })).close();
      const out = path.join(dataDir, 'key-backup.tar.gz');
      const manifest = await createBackup(loadConfig(env), out);
      assert.equal(manifest.store, 'postgres');
      const names = (await unpackArchive(readFileSync(out))).map((entry) => entry.name);
      assert.deepEqual(names, ['manifest.json', 'secret-key']);
      await assert.rejects(restoreBackup(config(), out), /made from a PostgreSQL store/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await store.drop();
    }
  });
});
