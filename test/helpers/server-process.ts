/**
 * Starts the real server in a child process on a private DATA_DIR and a free port, and reads its
 * address and the demo admin header from its output. It runs the sources (`src/main.ts` through
 * tsx), so tests never depend on a stale build; the compiled `dist/main.js` that `npm start` runs
 * is exercised by scripts/replay-dockerfile.sh.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  url: string;
  adminHeader: string;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-server-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, adminHeader } = await new Promise<{ url: string; adminHeader: string }>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
          const header = /Authorization: (Basic \S+)/.exec(output)?.[1];
          if (url && header) {
            clearTimeout(timer);
            resolve({ url, adminHeader: header });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
      },
    );
    return { url, adminHeader, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
