/**
 * `secure-reporter backup --out FILE`: an online backup of a SQLite store with its key and files.
 * On PostgreSQL it checks the store, prints the pg_dump command, and (with --out) saves the key.
 */
import { parseArgs } from 'node:util';
import { badRequest } from '../errors.ts';
import { createBackup, withoutPassword } from '../services/backup.ts';
import type { CliContext } from './cli-context.ts';

export const backupUsage = `secure-reporter backup --out FILE     store, server key and uploads in one file (mode 0600)
secure-reporter restore FILE          put a backup back into DATA_DIR (the server must be stopped)`;

export async function backupCommand(args: string[], cli: CliContext): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const config = cli.config();
  const postgres = !config.databaseUrl.startsWith('sqlite:');
  if (!values.out && !postgres) throw badRequest(`backup needs --out FILE. Usage:\n${backupUsage}`);
  if (postgres) {
    cli.print(
      'The metadata store is PostgreSQL; back it up with pg_dump (give the password with PGPASSWORD or ~/.pgpass):',
    );
    cli.print(
      `  pg_dump --format=custom --file=secure-reporter.dump '${withoutPassword(config.databaseUrl)}'`,
    );
  }
  if (!values.out) {
    // Without --out this only proves the store answers and the key fits, so a dump is worth making.
    await createBackup(config, null);
    cli.print('The store is reachable and the server key decrypts its secrets; keep the key with the dump.');
    return;
  }
  const manifest = await createBackup(config, values.out);
  const what = manifest.store === 'sqlite' ? 'the metadata store, the server key' : 'the server key';
  cli.print(
    `Wrote ${values.out}: ${what} and ${manifest.files.length} file(s) in all (${manifest.files.join(', ')})`,
  );
}
