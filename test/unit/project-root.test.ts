/**
 * The project root the server reads its version and the web app from: found by walking up, so
 * the sources, the compiled files and the one-file bundle (`dist/main.js`) all find it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WEB_DIST } from '../../src/http/routes/web-app.ts';
import { PROJECT_ROOT } from '../../src/project-root.ts';

test('the project root is the folder of the server package.json, and the web app lies under it', () => {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'secure-reporter');
  assert.ok(existsSync(path.join(PROJECT_ROOT, 'src', 'main.ts')), 'the repository root, not a sub-folder');
  assert.equal(WEB_DIST, `${path.join(PROJECT_ROOT, 'web', 'dist')}${path.sep}`);
});
