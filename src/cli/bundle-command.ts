/** `secure-reporter import FILE` and `secure-reporter export [--format yaml|json] [--out FILE]`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { badRequest } from '../errors.ts';
import { parseBundle } from '../services/bundles.ts';
import { internalContext } from '../services/request-context.ts';
import type { CliContext } from './cli-context.ts';

export async function importCommand(args: string[], cli: CliContext): Promise<void> {
  const [file] = args;
  if (!file) throw badRequest('import needs a bundle file: secure-reporter import bundle.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw badRequest(`Cannot read the bundle file ${file}`);
  }
  const bundle = parseBundle(text);
  await cli.withApp(async (app) => {
    const ctx = internalContext(app.config.adminGroup);
    const summary = await app.services.bundles.import(ctx, bundle);
    cli.print(
      `Imported ${summary.connections} connection(s), ${summary.clusters} cluster(s), ${summary.reports} report(s)`,
    );
  });
}

export async function exportCommand(args: string[], cli: CliContext): Promise<void> {
  const { values } = parseArgs({ args, options: { format: { type: 'string' }, out: { type: 'string' } } });
  const format = values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw badRequest('--format must be yaml or json');
  await cli.withApp(async (app) => {
    const text = await app.services.bundles.export(internalContext(app.config.adminGroup), format);
    if (values.out) writeFileSync(values.out, text);
    else cli.write(text);
  });
}
