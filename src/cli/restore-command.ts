/** `secure-reporter restore FILE`: a backup back into DATA_DIR, the replaced files kept aside. */
import { badRequest } from '../errors.ts';
import { restoreBackup } from '../services/restore.ts';
import { backupUsage } from './backup-command.ts';
import { cliConfig } from './cli-context.ts';

export async function restoreCommand(args: string[]): Promise<void> {
  const [file] = args;
  if (!file) throw badRequest(`restore needs a backup file. Usage:\n${backupUsage}`);
  const config = cliConfig();
  const summary = await restoreBackup(config, file);
  console.log(`Restored the backup of ${summary.manifest.created} into ${config.dataDir}:`);
  for (const written of summary.written) console.log(`  ${written}`);
  if (!summary.keyWritten)
    console.log(`  (the server key is given by ${config.secretKeySource}; not written)`);
  if (summary.keptAside.length > 0) {
    console.log('The files it replaced are kept aside:');
    for (const aside of summary.keptAside) console.log(`  ${aside}`);
  }
  if (summary.manifest.store === 'postgres')
    console.log(
      'The metadata store itself is in PostgreSQL: restore it from the pg_dump file with pg_restore.',
    );
}
