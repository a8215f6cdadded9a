/** `secure-reporter group-list create|add|remove|list`: the group list service, as over HTTP. */
import { parseArgs } from 'node:util';
import type { App } from '../app.ts';
import { badRequest } from '../errors.ts';
import { internalContext } from '../services/request-context.ts';
import type { CliContext } from './cli-context.ts';

export const groupListUsage = `secure-reporter group-list create --name NAME [--description TEXT]
secure-reporter group-list add --name NAME --email EMAIL
secure-reporter group-list remove --name NAME --email EMAIL
secure-reporter group-list list`;

type Values = { name?: string; email?: string; description?: string };

function required(values: Values, action: string, option: 'name' | 'email'): string {
  const value = values[option];
  if (!value) throw badRequest(`group-list ${action} needs --${option}`);
  return value;
}

/** One action; each prints what it changed as JSON, like `token` and `user`. */
async function run(app: App, action: string | undefined, values: Values): Promise<unknown> {
  const lists = app.services.groupLists;
  const ctx = internalContext(app.config.adminGroup);
  switch (action) {
    case 'create':
      return lists.create(ctx, { name: required(values, action, 'name'), description: values.description });
    case 'add':
      return lists.addMember(ctx, required(values, action, 'name'), required(values, action, 'email'));
    case 'remove':
      return lists.removeMember(ctx, required(values, action, 'name'), required(values, action, 'email'));
    case 'list':
      return { message: '', ok: true, records: await lists.list(ctx) };
    default:
      throw badRequest(`Unknown group-list action "${action ?? ''}". Usage:\n${groupListUsage}`);
  }
}

export async function groupListCommand(args: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, email: { type: 'string' }, description: { type: 'string' } },
  });
  await cli.withApp(async (app) => {
    const result = await run(app, action, values);
    cli.print(action === 'list' ? JSON.stringify(result, null, 2) : JSON.stringify(result));
  });
}
