/** The `secure-reporter` command line: the same services as HTTP, errors mapped to exit codes. */
import { format } from 'node:util';
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { backupCommand, backupUsage } from './backup-command.ts';
import { exportCommand, importCommand } from './bundle-command.ts';
import { type CliContext, type CliIo, cliContext, exitCodeOf } from './cli-context.ts';
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

type Command = (args: string[], cli: CliContext) => Promise<void>;

const commands: Record<string, Command> = {
  // The server entry reads its own configuration from the process, as `npm start` does.
  serve: async () => {
    await import('../main.ts');
  },
  migrate: (_args, cli) => cli.withApp(async () => cli.print('Metadata store is up to date')),
  token: tokenCommand,
  user: userCommand,
  'group-list': groupListCommand,
  import: importCommand,
  export: exportCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

/** One line for the errors a user can act on; the whole error (with its stack) otherwise. */
function describeError(error: unknown): string {
  if (error instanceof ConfigError || error instanceof AppError) return error.message;
  if (error instanceof Error && error.name === 'ZodError') return `Bad arguments: ${error.message}`;
  return format(error);
}

/**
 * Runs one command with the given arguments (without `node` and the script) and resolves to its
 * exit code: 0 done, 2 bad input or configuration, 3 not found or conflict, 1 anything else. It
 * never exits the process; `serve` resolves once the server is starting and leaves it running.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    io.stderr.write(`${usage}\n`);
    return name === undefined || name === 'help' ? 0 : 2;
  }
  try {
    await command(args, cliContext(io));
    return 0;
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    return error instanceof ConfigError ? 2 : exitCodeOf(error);
  }
}
