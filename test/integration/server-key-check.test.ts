import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  await t.app.close();
});
after(() => rmSync(t.dataDir, { recursive: true, force: true }));

const start = (env: Record<string, string> = {}) =>
  buildApp(loadConfig({ DATA_DIR: t.dataDir, LOG_LEVEL: 'silent', ...env }), { jobs: false });

describe('a server key that does not fit the store stops the start', () => {
  test('a wrong SECRET_KEY is named, with the connection it fails on', async () => {
    await assert.rejects(start({ SECRET_KEY: 'w'.repeat(40) }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /The server key from SECRET_KEY does not decrypt the stored connection secrets \(connection "demo"\): restore the key that was used/,
      );
      return true;
    });
  });

  test('a lost key file is not silently replaced by a new one', async () => {
    const keyFile = path.join(t.dataDir, 'secret-key');
    const kept = `${keyFile}.kept`;
    renameSync(keyFile, kept);
    await assert.rejects(
      start(),
      /No server key was found, so a new one was made in .*secret-key, but it does not decrypt/,
    );
    assert.equal(existsSync(keyFile), false, 'the generated key is removed again');
    renameSync(kept, keyFile);
    const app = await start();
    await app.close();
  });
});
