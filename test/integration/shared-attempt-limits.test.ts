/**
 * Failed-attempt limits are kept in the metadata store, so two instances on one store limit as
 * one server: on one PostgreSQL database, and on one SQLite file opened by two apps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';
import { required } from '../helpers/skip-or-fail.ts';

const runPostgres = required(await postgresReachable(), 'PostgreSQL');
const badHeader = (name: string) => `Basic ${Buffer.from(`${name}:wrong-secret`).toString('base64')}`;
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function twoApps(databaseUrl: (dataDir: string) => string): Promise<[App, App]> {
  const shared = mkdtempSync(path.join(tmpdir(), 'sr-limits-'));
  cleanups.push(async () => rmSync(shared, { recursive: true, force: true }));
  const apps: App[] = [];
  for (const name of ['a', 'b']) {
    const config = loadConfig({
      DATA_DIR: path.join(shared, name),
      DATABASE_URL: databaseUrl(shared),
      SECRET_KEY: 'k'.repeat(48),
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp(config, { jobs: false });
    cleanups.push(async () => {
      await app.close();
    });
    apps.push(app);
  }
  return apps as [App, App];
}

const badToken = (app: App, remoteAddress = '127.0.0.1', name = 'nobody') =>
  app.server.inject({ url: '/api/me', headers: { authorization: badHeader(name) }, remoteAddress });

const badSignIn = (app: App, email: string, remoteAddress: string) =>
  app.server.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'not the password' },
    remoteAddress,
  });

/** Alternates `attempt` between the two apps `count` times and returns the statuses. */
async function spread(
  apps: [App, App],
  count: number,
  attempt: (app: App, i: number) => Promise<{ statusCode: number }>,
) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await attempt(apps[i % 2] as App, i)).statusCode);
  return statuses;
}

function sharedLimitSuite(name: string, databaseUrl: (dataDir: string) => string, skip: boolean) {
  describe(name, { skip }, () => {
    test('ten bad tokens from one address across both instances: the 11th is 429 on either', async () => {
      const apps = await twoApps(databaseUrl);
      assert.deepEqual(await spread(apps, 10, (app) => badToken(app)), Array(10).fill(401));
      assert.equal((await badToken(apps[0])).statusCode, 429);
      assert.equal((await badToken(apps[1])).statusCode, 429);
      // The name's own counter is shared too: from another address it is still 429 …
      assert.equal((await badToken(apps[1], '10.9.9.9')).statusCode, 429);
      // … while another address guessing another name is not affected.
      assert.equal((await badToken(apps[1], '10.9.9.9', 'somebody')).statusCode, 401);
    });

    test('five bad sign-ins for one email from many addresses: the 6th is 429 on either', async () => {
      const apps = await twoApps(databaseUrl);
      const email = 'carol@example.com';
      const statuses = await spread(apps, 5, (app, i) => badSignIn(app, email, `10.1.0.${i}`));
      assert.deepEqual(statuses, Array(5).fill(401));
      assert.equal((await badSignIn(apps[0], email, '10.1.1.1')).statusCode, 429);
      assert.equal((await badSignIn(apps[1], email, '10.1.1.2')).statusCode, 429);
      assert.equal((await badSignIn(apps[1], 'dave@example.com', '10.1.1.3')).statusCode, 401);
    });
  });
}

let pgDatabase: { url: string; drop(): Promise<void> } | undefined;
if (runPostgres) {
  pgDatabase = await createPostgresDatabase('sr_limits');
  cleanups.push(() => pgDatabase?.drop() ?? Promise.resolve());
}
sharedLimitSuite('one PostgreSQL metadata database', () => pgDatabase?.url ?? '', !runPostgres);
sharedLimitSuite('one SQLite metadata file', (dir) => `sqlite:${path.join(dir, 'shared.sqlite')}`, false);

test('when the counters cannot be stored, failures are still limited, per instance', async () => {
  const [app] = await twoApps((dir) => `sqlite:${path.join(dir, 'lost.sqlite')}`);
  // The table vanishing stands for a store that does not answer the limiter's queries.
  await sql`drop table rate_limit`.execute(app.store.db);
  assert.deepEqual(await spread([app, app], 10, () => badToken(app)), Array(10).fill(401));
  assert.equal((await badToken(app)).statusCode, 429);
});
