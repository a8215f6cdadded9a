/**
 * Who is using DATA_DIR. Every process that opens the store (the server, each CLI command) holds a
 * shared lock on `DATA_DIR/in-use.lock`; `restore` takes it exclusively, so it refuses to run while
 * anything has the store open, and nothing starts while it runs. The lock is SQLite's own file
 * lock (a one-table database in exclusive locking mode): the operating system drops it when the
 * process ends, even when killed, so there is never a stale lock to clean up by hand.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { AppError, conflict } from '../errors.ts';

export const LOCK_FILE = 'in-use.lock';

export interface DataDirLock {
  release(): void;
}

function openLockFile(dataDir: string, timeoutMs: number): SqliteDatabase.Database {
  mkdirSync(dataDir, { recursive: true });
  const database = new SqliteDatabase(path.join(dataDir, LOCK_FILE), { timeout: timeoutMs });
  // Created in normal locking mode, so a first creator does not keep a write lock afterwards.
  database.exec('CREATE TABLE IF NOT EXISTS holder (note TEXT)');
  database.pragma('locking_mode = EXCLUSIVE');
  return database;
}

const isBusy = (error: unknown) =>
  error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');

/** A shared hold for as long as the process uses the store; fails while a restore runs. */
export function holdDataDir(dataDir: string): DataDirLock {
  let database: SqliteDatabase.Database | undefined;
  try {
    database = openLockFile(dataDir, 2000);
    // In exclusive locking mode the shared lock of this first read is kept until close.
    database.prepare('SELECT count(*) FROM holder').get();
  } catch (error) {
    database?.close();
    if (!isBusy(error)) throw error;
    throw new AppError(
      'unavailable',
      `${dataDir} is being restored; start again when the restore has finished`,
      {
        cause: error,
      },
    );
  }
  const held = database;
  return { release: () => held.close() };
}

/** The exclusive hold `restore` works under; refuses while a server or command uses DATA_DIR. */
export function takeDataDir(dataDir: string): DataDirLock {
  const database = openLockFile(dataDir, 0);
  try {
    database.exec('BEGIN EXCLUSIVE');
    database.exec('COMMIT');
  } catch (error) {
    database.close();
    if (!isBusy(error)) throw error;
    throw conflict(
      `A Secure Reporter server or command is using ${dataDir} (it holds ${LOCK_FILE}); stop it before restoring`,
    );
  }
  return { release: () => database.close() };
}
