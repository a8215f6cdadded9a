/**
 * A real app on a private DATA_DIR with a real SQLite metadata store and the demo data source;
 * tests talk to it through Fastify's inject().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, type BuildOptions, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { setUpDemoOnce } from '../../src/demo/demo-setup.ts';

export interface TestApp {
  app: App;
  dataDir: string;
  /** The demo admin token's Authorization header. */
  adminHeader: string;
  close(): Promise<void>;
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: BuildOptions = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'secure-reporter-test-'));
  const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), options);
  const adminHeader = await setUpDemoOnce(app);
  if (!adminHeader) throw new Error('demo setup did not run');
  return {
    app,
    dataDir,
    adminHeader,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a token through the admin API and returns its Authorization header. */
export async function createToken(
  testApp: TestApp,
  name: string,
  groups: string[],
  expiry = '1d',
): Promise<string> {
  const response = await testApp.app.server.inject({
    method: 'POST',
    url: '/api/admin/tokens/',
    headers: { authorization: testApp.adminHeader },
    payload: { name, groups, expiry },
  });
  if (response.statusCode !== 201) throw new Error(`token create failed: ${response.body}`);
  return response.json().records[0].header;
}
