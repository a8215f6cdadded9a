/**
 * First start with DEMO on and an empty store: create the demo database, import the demo bundle,
 * and create an admin token whose header is printed once.
 */
import path from 'node:path';
import type { App } from '../app.ts';
import { importBundle } from '../services/bundles.ts';
import { internalContext } from '../services/request-context.ts';
import { inTransaction } from '../store/transactions.ts';
import { demoBundle } from './demo-bundle.ts';
import { createDemoDatabase } from './demo-database.ts';

export const DEMO_TOKEN_NAME = 'demo-admin';

/** Returns the new admin token's header when the demo was set up now, else null. */
export async function setUpDemoOnce(app: App): Promise<string | null> {
  const ctx = internalContext(app.config.adminGroup);
  if (!app.config.demo || (await app.services.reports.list(ctx)).length > 0) return null;
  const file = path.join(app.config.dataDir, 'demo.sqlite');
  createDemoDatabase(file);
  // The bundle and the token together: a setup that fails half-way is tried again at the next start.
  return inTransaction(app.store.db, async (within) => {
    await importBundle(ctx, demoBundle(file), { ...app.services, db: within });
    const token = await app.services.tokens.create(
      ctx,
      { name: DEMO_TOKEN_NAME, expiry: '1y', groups: [app.config.adminGroup, '*'] },
      { within },
    );
    return token.header;
  });
}
