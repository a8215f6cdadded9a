/** The `secure-reporter` command line: the same services as HTTP, errors mapped to exit codes. */
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { backupCommand, backupUsage } from './backup-command.ts';
import { exportCommand, importCommand } from './bundle-command.ts';
import { exitCodeOf, withApp } from './cli-context.ts';
import { groupListCommand, groupListUsage } from './group-list-command.ts';
import { restoreCommand } from './restore-command.ts';
import { tokenCommand, tokenUsage } from './token-command.ts';
import { userCommand, userUsage } from './user-command.ts';

const usage = `Usage:
secure-reporter serve                 start the server (same as npm start)
secure-reporter migrate               apply metadata store migrations
${tokenUsage}
${userUsage}
${groupListUsage}
secure-reporter import FILE           import a bundle (YAML or JSON), idempotent by name
secure-reporter export [--format yaml|json] [--out FILE]
${backupUsage}`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  serve: async () => {
    await import('../main.ts');
  },
  migrate: () => withApp(async () => console.log('Metadata store is up to date')),
  token: tokenCommand,
  user: userCommand,
  'group-list': groupListCommand,
  import: importCommand,
  export: exportCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(usage);
  process.exit(name === undefined || name === 'help' ? 0 : 2);
}
command(args).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
  else if (error instanceof Error && error.name === 'ZodError')
    console.error(`Bad arguments: ${error.message}`);
  else console.error(error);
  process.exit(error instanceof ConfigError ? 2 : exitCodeOf(error));
});
