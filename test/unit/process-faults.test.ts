/**
 * Errors nobody caught are logged: a lost promise as an error line while the process goes on, a
 * thrown exception as a fatal line and exit 1. Run in a child process, since both handlers are
 * process-wide.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = `
import { pino } from 'pino';
import { logStrayErrors } from './src/process-faults.ts';
logStrayErrors(pino());
Promise.reject(new Error('a lost promise'));
setTimeout(() => {
  console.log(JSON.stringify({ msg: 'still running' }));
  throw new Error('thrown later');
}, 100);
`;

test('a lost promise is logged and the process goes on; an uncaught exception is fatal', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level?: number; msg: string });
  assert.deepEqual(
    lines.map((line) => [line.level, line.msg]),
    [
      [50, 'unhandled rejection: Error: a lost promise'],
      [undefined, 'still running'],
      [60, 'uncaught exception: thrown later'],
    ],
  );
  assert.equal(child.status, 1);
});
