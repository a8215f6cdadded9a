/** `secure-reporter restore FILE`: a backup back into DATA_DIR, the replaced files kept aside. */
import { badRequest } from '../errors.ts';
import { restoreBackup } from '../services/restore.ts';
import { backupUsage } from './backup-command.ts';
import type { CliContext } from './cli-context.ts';

export async function restoreCommand(args: string[], cli: CliContext): Promise<void> {
  const [file] = args;
  if (!file) throw badRequest(`restore needs a backup file. Usage:\n${backupUsage}`);
  const config = cli.config();
  const summary = await restoreBackup(config, file);
  cli.print(`Restored the backup of ${summary.manifest.created} into ${config.dataDir}:`);
  for (const written of summary.written) cli.print(`  ${written}`);
  if (!summary.keyWritten) cli.print(`  (the server key is given by ${config.secretKeySource}; not written)`);
  if (summary.keptAside.length > 0) {
    cli.print('The files it replaced are kept aside:');
    for (const aside of summary.keptAside) cli.print(`  ${aside}`);
  }
  if (summary.manifest.store === 'postgres')
    cli.print(
      'The metadata store itself is in PostgreSQL: restore it from the pg_dump file with pg_restore.',
    );
}
