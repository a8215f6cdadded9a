/**
 * A fresh PostgreSQL database per test file, dropped afterwards, on the real server. When the
 * server does not answer, postgresReachable() is false and the suite skips (it fails under CI).
 */
import pg from 'pg';
import { postgresUrl } from './databases.ts';
import { unavailable } from './skip-or-fail.ts';

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    unavailable(`PostgreSQL not reachable at ${postgresUrl}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
