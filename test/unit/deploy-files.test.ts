/** The deployment files (compose.yaml, deploy/haproxy.cfg, Dockerfile) keep the rules they rely on. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkDeployFiles } from '../../scripts/check-deploy-files.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** A copy of the deployment files with compose.yaml edited by `edit`. */
function checkEdited(edit: (compose: string) => string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sr-deploy-'));
  try {
    for (const file of ['Dockerfile', 'deploy/haproxy.cfg'])
      cpSync(path.join(root, file), path.join(dir, file));
    const compose = readFileSync(path.join(root, 'compose.yaml'), 'utf8');
    const edited = edit(compose);
    assert.notEqual(edited, compose, 'the edit must change compose.yaml');
    writeFileSync(path.join(dir, 'compose.yaml'), edited);
    return checkDeployFiles(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the committed deployment files pass every rule', () => {
  assert.deepEqual(checkDeployFiles(root), []);
});

test('an instance with its own server key is refused', () => {
  const problems = checkEdited((text) =>
    text.replace(
      /( {2}app2:\n {4}<<: \*instance\n)/,
      '$1    environment:\n      SECRET_KEY_FILE: /run/secrets/other\n',
    ),
  );
  assert.ok(
    problems.some((p) => /app2: SECRET_KEY_FILE differs/.test(p)),
    problems.join('\n'),
  );
});

test('an instance that starts before PostgreSQL is healthy is refused', () => {
  const problems = checkEdited((text) =>
    text.replace('condition: service_healthy', 'condition: service_started'),
  );
  assert.ok(
    problems.some((p) => /app1: must wait for postgres healthy/.test(p)),
    problems.join('\n'),
  );
});
