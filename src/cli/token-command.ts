/** `secure-reporter token create|list|delete`. */
import { parseArgs } from 'node:util';
import { badRequest } from '../errors.ts';
import { createTokenBody } from '../http/routes/admin-tokens.schema.ts';
import { internalContext } from '../services/request-context.ts';
import type { CliContext } from './cli-context.ts';

export const tokenUsage = `secure-reporter token create --name NAME --expiry 1d|1w|1m|3m|6m|1y --groups G1,G2
secure-reporter token list
secure-reporter token delete --name NAME`;

export async function tokenCommand(args: string[], cli: CliContext): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, expiry: { type: 'string' }, groups: { type: 'string' } },
  });
  await cli.withApp(async (app) => {
    const ctx = internalContext(app.config.adminGroup);
    if (action === 'create') {
      const input = createTokenBody.parse({
        name: values.name,
        expiry: values.expiry,
        groups: (values.groups ?? '').split(',').filter(Boolean),
      });
      cli.print(JSON.stringify(await app.services.tokens.create(ctx, input)));
    } else if (action === 'list') {
      cli.print(
        JSON.stringify({ message: '', ok: true, records: await app.services.tokens.list(ctx) }, null, 2),
      );
    } else if (action === 'delete') {
      if (!values.name) throw badRequest('token delete needs --name');
      await app.services.tokens.delete(ctx, values.name);
      cli.print(`Deleted token "${values.name}"`);
    } else {
      throw badRequest(`Unknown token action "${action ?? ''}". Usage:\n${tokenUsage}`);
    }
  });
}
