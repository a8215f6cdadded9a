/**
 * `restore`: puts a backup's store, key and files back into DATA_DIR. It refuses while anything
 * has DATA_DIR open (see store/data-dir-lock.ts), refuses a backup without its key, and moves
 * every file it would replace aside as `<name>.before-restore-<timestamp>`, so nothing is lost.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { badRequest } from '../errors.ts';
import { takeDataDir } from '../store/data-dir-lock.ts';
import { BACKUP_FORMAT, type BackupConfig, ENTRY, type Manifest, UPLOADS } from './backup.ts';
import { type ArchiveEntry, unpackArchive } from './backup-archive.ts';

export interface RestoreSummary {
  manifest: Manifest;
  /** The files written, by path. */
  written: string[];
  /** The files moved aside, by their new path. */
  keptAside: string[];
  /** Whether the key was written to DATA_DIR (not when SECRET_KEY already gives it). */
  keyWritten: boolean;
}

/** Entry names restore writes; anything else (`../x`, absolute paths) is refused. */
const SAFE_UPLOAD = /^uploads(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/;

async function readBackup(file: string): Promise<{ manifest: Manifest; entries: Map<string, Buffer> }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw badRequest(`Cannot read the backup file ${file}`);
  }
  const entries = new Map(
    (await unpackArchive(bytes)).map((entry: ArchiveEntry) => [entry.name, entry.bytes]),
  );
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(entries.get(ENTRY.manifest)?.toString('utf8') ?? 'null');
  } catch {}
  if (manifest?.format !== BACKUP_FORMAT || manifest.version !== 1)
    throw badRequest(`${file} is not a Secure Reporter backup (no ${ENTRY.manifest} of version 1)`);
  for (const name of entries.keys())
    if (!Object.values(ENTRY).includes(name) && !SAFE_UPLOAD.test(name))
      throw badRequest(`The backup holds an unexpected file "${name}"; refusing to restore it`);
  return { manifest, entries };
}

/** The refusals that need no lock: a missing key, a key or store that cannot fit this config. */
function checkFits(config: BackupConfig, manifest: Manifest, entries: Map<string, Buffer>): string {
  const key = entries.get(ENTRY.key)?.toString('utf8').trim() ?? '';
  if (key.length < 32)
    throw badRequest(
      'The backup holds no server key; without it the stored connection secrets cannot be decrypted. Refusing to restore',
    );
  if (config.secretKey && config.secretKey !== key)
    throw badRequest(
      `${config.secretKeySource ?? 'SECRET_KEY'} gives a different key than the one in the backup: unset it, or set it to the backed-up key`,
    );
  const sqliteStore = config.databaseUrl.startsWith('sqlite:');
  if (manifest.store === 'sqlite' && (!sqliteStore || !entries.has(ENTRY.store)))
    throw badRequest('The backup holds a SQLite metadata store, but DATABASE_URL is not a SQLite file');
  if (manifest.store === 'postgres' && sqliteStore)
    throw badRequest(
      'The backup was made from a PostgreSQL store and holds no metadata store: restore the pg_dump file with pg_restore, and set DATABASE_URL to it',
    );
  if (config.databaseUrl === 'sqlite::memory:')
    throw badRequest('Cannot restore into an in-memory metadata store');
  return key;
}

/** Where each entry goes: the store to DATABASE_URL's file, the rest into DATA_DIR. */
function targetOf(config: BackupConfig, name: string): string {
  if (name === ENTRY.store) return config.databaseUrl.slice('sqlite:'.length);
  return path.join(config.dataDir, ...name.split('/'));
}

/** Moves `file` (and a SQLite file's -wal and -shm) aside; returns the new paths. */
function keepAside(file: string, stamp: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`]
    .filter((candidate) => existsSync(candidate))
    .map((candidate) => {
      const aside = `${candidate}.before-restore-${stamp}`;
      renameSync(candidate, aside);
      return aside;
    });
}

export async function restoreBackup(config: BackupConfig, file: string): Promise<RestoreSummary> {
  const { manifest, entries } = await readBackup(file);
  const key = checkFits(config, manifest, entries);
  const keyWritten = !config.secretKey;
  if (!keyWritten) entries.delete(ENTRY.key);
  entries.delete(ENTRY.manifest);
  const lock = takeDataDir(config.dataDir);
  try {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const targets = [...entries.keys()].map((name) => targetOf(config, name));
    // Uploads are replaced as one folder, so no file of the old set mixes with the restored ones.
    const uploads = path.join(config.dataDir, UPLOADS);
    const replaced = [...targets.filter((target) => !target.startsWith(uploads + path.sep)), uploads];
    const keptAside = replaced.flatMap((target) => keepAside(target, stamp));
    for (const [name, bytes] of entries) {
      const target = targetOf(config, name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, name === ENTRY.key ? `${key}\n` : bytes, { mode: 0o600, flag: 'wx' });
    }
    return { manifest, written: targets, keptAside, keyWritten };
  } finally {
    lock.release();
  }
}
