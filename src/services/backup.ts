/**
 * `backup`: one file holding what `restore` needs — an online copy of the SQLite metadata store
 * (SQLite's backup API, consistent while the server writes), the server key in use, the demo
 * database and uploaded files. A PostgreSQL store is backed up with `pg_dump`; this then holds
 * the key and files only. The format is described in docs/backup-and-restore.md.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { connectionRepo } from '../store/connection-repo.ts';
import { openMetadataStore } from '../store/db.ts';
import { type ArchiveEntry, packArchive } from './backup-archive.ts';
import { checkServerKey, SERVER_KEY_FILE, type ServerKey, secretBox } from './server-key.ts';

export const BACKUP_FORMAT = 'secure-reporter-backup';
export const ENTRY = {
  manifest: 'manifest.json',
  store: 'store.sqlite',
  key: SERVER_KEY_FILE,
  demo: 'demo.sqlite',
};
export const UPLOADS = 'uploads';

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  version: 1;
  created: string;
  /** `sqlite`: the store is in the backup; `postgres`: it is not (use pg_dump). */
  store: 'sqlite' | 'postgres';
  /** Where the key came from when backed up: SECRET_KEY, SECRET_KEY_FILE or DATA_DIR. */
  keySource: string;
  files: string[];
}

export type BackupConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'secretKey' | 'secretKeySource'>;

/** The key in use, without ever making one: a backup of a store with no key would be useless. */
function keyInUse(config: BackupConfig): ServerKey {
  if (config.secretKey)
    return { value: config.secretKey, source: config.secretKeySource ?? 'SECRET_KEY', created: false };
  const file = path.join(config.dataDir, SERVER_KEY_FILE);
  if (!existsSync(file)) throw notFound(`No server key in ${file} and none configured: nothing to back up`);
  return { value: readFileSync(file, 'utf8').trim(), source: file, created: false };
}

/** The store URL without its password, for messages and the printed pg_dump command. */
export function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

/** Opens the store (or a copy of it), proves it answers and that the key opens its secrets. */
async function checkStore(databaseUrl: string, key: ServerKey): Promise<void> {
  const store = openMetadataStore(databaseUrl);
  try {
    const connections = await connectionRepo(store.db)
      .list()
      .catch((error: unknown) => {
        const where = databaseUrl.startsWith('sqlite:') ? databaseUrl : withoutPassword(databaseUrl);
        throw new AppError(
          'database_unreachable',
          `The metadata store ${where} is not reachable: ${String(error)}`,
          {
            cause: error,
          },
        );
      });
    await checkServerKey({ list: async () => connections }, secretBox(key.value), key);
  } finally {
    await store.close();
  }
}

/** SQLite's online backup: pages are copied in steps, consistent with concurrent writers. */
async function copySqlite(file: string, target: string): Promise<Buffer> {
  const source = new SqliteDatabase(file, { fileMustExist: true });
  try {
    await source.backup(target);
  } finally {
    source.close();
  }
  return readFileSync(target);
}

function uploadEntries(dataDir: string): ArchiveEntry[] {
  const root = path.join(dataDir, UPLOADS);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { name: path.relative(dataDir, file).split(path.sep).join('/'), bytes: readFileSync(file) };
    });
}

/** Copies what lives in files: the store (SQLite only), the demo database, uploads. */
async function fileEntries(config: BackupConfig, key: ServerKey, work: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  if (config.databaseUrl.startsWith('sqlite:')) {
    const file = config.databaseUrl.slice('sqlite:'.length);
    if (file === ':memory:') throw badRequest('An in-memory metadata store cannot be backed up');
    if (!existsSync(file)) throw notFound(`No metadata store at ${file}: nothing to back up`);
    const copy = path.join(work, ENTRY.store);
    entries.push({ name: ENTRY.store, bytes: await copySqlite(file, copy) });
    await checkStore(`sqlite:${copy}`, key);
  } else {
    await checkStore(config.databaseUrl, key);
  }
  const demo = path.join(config.dataDir, ENTRY.demo);
  if (existsSync(demo))
    entries.push({ name: ENTRY.demo, bytes: await copySqlite(demo, path.join(work, ENTRY.demo)) });
  return [...entries, ...uploadEntries(config.dataDir)];
}

/**
 * Writes the backup to `out` (mode 0600, replaced atomically); returns its manifest. With `out`
 * null it only makes and checks the copy (used on PostgreSQL to prove the store and key).
 */
export async function createBackup(config: BackupConfig, out: string | null): Promise<Manifest> {
  const key = keyInUse(config);
  const work = mkdtempSync(path.join(tmpdir(), 'secure-reporter-backup-'));
  try {
    const files = [
      ...(await fileEntries(config, key, work)),
      { name: ENTRY.key, bytes: Buffer.from(`${key.value}\n`) },
    ];
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      version: 1,
      created: new Date().toISOString(),
      store: config.databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres',
      keySource: key.source.startsWith('SECRET_KEY') ? key.source : 'DATA_DIR',
      files: files.map((file) => file.name),
    };
    const archive = await packArchive([
      { name: ENTRY.manifest, bytes: Buffer.from(JSON.stringify(manifest, null, 2)) },
      ...files,
    ]);
    if (out === null) return manifest;
    const partial = `${out}.partial-${process.pid}`;
    writeFileSync(partial, archive, { mode: 0o600, flag: 'wx' });
    renameSync(partial, out);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
