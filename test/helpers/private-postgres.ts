/**
 * A private PostgreSQL 15 cluster for tests that stop, restart or kill their database, so the
 * shared server on 5432 is never touched. Built with Debian's postgresql-common tools (root
 * only). A cluster left by a crashed earlier run under the same name is dropped first.
 *
 * Without the tools (or not root) `startPrivatePostgres` returns null and the suite skips with a
 * notice, except under CI=true, where a suite that cannot get its database must fail.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { unavailable as skipOrFail } from './skip-or-fail.ts';

const run = promisify(execFile);
const VERSION = '15';

export interface PrivatePostgres {
  name: string;
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops and deletes the cluster; safe to call twice. */
  drop(): Promise<void>;
}

export interface PrivatePostgresOptions {
  name: string;
  port: number;
}

const ctl = (action: string, name: string) => run('pg_ctlcluster', [VERSION, name, action]);

async function dropIfPresent(name: string) {
  await run('pg_dropcluster', ['--stop', VERSION, name]).catch(() => {});
}

/** Waits until the cluster accepts queries (pg_ctlcluster returns before that on some starts). */
export async function waitForPostgres(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function unavailable(reason: string): null {
  skipOrFail(`private PostgreSQL cluster unavailable: ${reason}`);
  return null;
}

/** Creates and starts the cluster; null (suite skips) when this machine cannot make one. */
export async function startPrivatePostgres({
  name,
  port,
}: PrivatePostgresOptions): Promise<PrivatePostgres | null> {
  if (!existsSync('/usr/bin/pg_createcluster')) return unavailable('pg_createcluster not installed');
  if (process.getuid?.() !== 0) return unavailable('creating a cluster needs root');
  await dropIfPresent(name);
  try {
    await run('pg_createcluster', [VERSION, name, '--port', String(port), '--', '--auth=trust']);
    await ctl('start', name);
  } catch (error) {
    await dropIfPresent(name);
    return unavailable(String((error as Error).message).split('\n')[0] ?? 'pg_createcluster failed');
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForPostgres(url);
  return {
    name,
    port,
    url,
    stop: async () => {
      await ctl('stop', name);
    },
    start: async () => {
      await ctl('start', name);
      await waitForPostgres(url);
    },
    restart: async () => {
      await ctl('restart', name);
      await waitForPostgres(url);
    },
    drop: () => dropIfPresent(name),
  };
}
