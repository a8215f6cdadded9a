/**
 * A private MariaDB server for tests that need server-wide settings (a hostile global sql_mode),
 * so the shared server on 3306 never has its globals changed. Its data directory lives in the
 * temp folder and is deleted on stop. The admin signs in as root over the Unix socket (fixture
 * setup); report connections use TCP on 127.0.0.1 with a user the test creates.
 *
 * Without mariadb-install-db / mariadbd (or not root) `startPrivateMariadb` returns null and the
 * suite skips with a notice, except under CI=true, where it must fail.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { unavailable } from './skip-or-fail.ts';

const run = promisify(execFile);

export interface PrivateMariadb {
  port: number;
  /** Runs statements as root over the socket. */
  admin(sql: string): Promise<void>;
  stop(): Promise<void>;
}

async function waitForSocket(socketPath: string, server: ChildProcess, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`mariadbd exited with ${server.exitCode}`);
    try {
      const conn = await mysql.createConnection({ socketPath, user: 'root' });
      await conn.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Starts a fresh server on `port` with extra `mariadbd` options (e.g. `--sql-mode=…`). */
export async function startPrivateMariadb(port: number, options: string[]): Promise<PrivateMariadb | null> {
  if (!existsSync('/usr/sbin/mariadbd') || !existsSync('/usr/bin/mariadb-install-db')) {
    unavailable('private MariaDB unavailable: mariadbd or mariadb-install-db not installed');
    return null;
  }
  if (process.getuid?.() !== 0) {
    unavailable('private MariaDB unavailable: running it as user root needs root');
    return null;
  }
  const dir = join(tmpdir(), `sr-private-mariadb-${port}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const socketPath = join(dir, 'mysqld.sock');
  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${join(dir, 'data')}`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  const server = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      `--socket=${socketPath}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      ...options,
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(socketPath, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    async admin(sql) {
      const conn = await mysql.createConnection({ socketPath, user: 'root', multipleStatements: true });
      try {
        await conn.query(sql);
      } finally {
        await conn.end();
      }
    },
    stop,
  };
}
