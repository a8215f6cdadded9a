/**
 * The one run of the real `secure-reporter` binary (bin/secure-reporter.js, compiled or through
 * tsx): what only a process shows — arguments from argv, a password from standard input, the exit
 * code. Every other CLI test runs the commands in process (test/helpers/cli.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-cli-binary-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const binary = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/secure-reporter.js', ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, DEMO: 'false' },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });

test('the binary reads argv and standard input and exits with the command’s code', () => {
  const created = binary(
    ['user', 'create', '--email', 'Ann@Example.com', '--password-stdin'],
    'long-enough-pw\n',
  );
  assert.equal(created.status, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).email, 'ann@example.com');
  const refused = binary(['user', 'create', '--email', 'bob@example.com', '--password-stdin'], 'short\n');
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /use at least 10 characters/);
});
