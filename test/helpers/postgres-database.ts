/**
 * A fresh PostgreSQL database per test file, dropped afterwards, on the real server. When the
 * server does not answer, postgresReachable() is false and the suite skips (it fails under CI).
 *
 * `url` signs in as the admin (owner of the database: a metadata store, fixtures); `readerUrl`
 * as the least-privilege reader, for report connections, which refuse a superuser.
 */
import pg from 'pg';
import {
  grantPostgresReader,
  postgresAdminUrl as postgresUrl,
  postgresUrl as readerUrl,
} from './databases.ts';
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
): Promise<{ url: string; readerUrl: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  await grantPostgresReader(url.toString());
  const reader = new URL(readerUrl);
  reader.pathname = `/${name}`;
  return {
    url: url.toString(),
    readerUrl: reader.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
