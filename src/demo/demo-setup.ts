/**
 * First start with DEMO on and an empty store: create the demo database, import the demo bundle,
 * and create an admin token whose header is printed once.
 */
import path from 'node:path';
import type { App } from '../app.ts';
import { importBundle } from '../services/bundles.ts';
import { internalContext } from '../services/request-context.ts';
import { demoBundle } from './demo-bundle.ts';
import { createDemoDatabase } from './demo-database.ts';

export const DEMO_TOKEN_NAME = 'demo-admin';

/** Returns the new admin token's header when the demo was set up now, else null. */
export async function setUpDemoOnce(app: App): Promise<string | null> {
  const ctx = internalContext(app.config.adminGroup);
  if (!app.config.demo || (await app.services.reports.list(ctx)).length > 0) return null;
  const file = path.join(app.config.dataDir, 'demo.sqlite');
  createDemoDatabase(file);
  return app.transaction(async (services) => {
    await importBundle(ctx, demoBundle(file), services);
    const token = await services.tokens.create(ctx, {
      name: DEMO_TOKEN_NAME,
      expiry: '1y',
      groups: [app.config.adminGroup, '*'],
    });
    return token.header;
  });
}
