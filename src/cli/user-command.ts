/**
 * `secure-reporter user create|list|delete`. A password is read from standard input with
 * `--password-stdin`, so it stays out of shell history and the process list.
 */
import { parseArgs } from 'node:util';
import { badRequest } from '../errors.ts';
import { createUserBody } from '../http/routes/admin-users.schema.ts';
import { internalContext } from '../services/request-context.ts';
import type { CliContext } from './cli-context.ts';

export const userUsage = `secure-reporter user create --email EMAIL [--password-stdin | --password PASSWORD]
secure-reporter user list
secure-reporter user delete --email EMAIL`;

export async function userCommand(args: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  const password = values['password-stdin'] ? await cli.readInput() : values.password;
  await cli.withApp(async (app) => {
    const ctx = internalContext(app.config.adminGroup);
    if (action === 'create') {
      const input = createUserBody.parse({ email: values.email, password });
      cli.print(JSON.stringify(await app.services.users.create(ctx, input)));
    } else if (action === 'list') {
      cli.print(
        JSON.stringify({ message: '', ok: true, records: await app.services.users.list(ctx) }, null, 2),
      );
    } else if (action === 'delete') {
      if (!values.email) throw badRequest('user delete needs --email');
      await app.services.users.delete(ctx, values.email);
      cli.print(`Deleted user "${values.email}"`);
    } else {
      throw badRequest(`Unknown user action "${action ?? ''}". Usage:\n${userUsage}`);
    }
  });
}
