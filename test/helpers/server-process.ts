/**
 * Starts the real server in a child process on a private DATA_DIR and a free port, and reads its
 * address and the demo admin header from its output. It runs the sources (`src/main.ts` through
 * tsx), so tests never depend on a stale build; the compiled `dist/main.js` that `npm start` runs
 * is exercised by scripts/replay-dockerfile.ts.
 * `env` may point it at a shared store (DATABASE_URL, with the fleet's one SECRET_KEY); with
 * `DEMO: 'false'` no admin header is printed, so none is awaited (`adminHeader` is '').
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface ServerProcess {
  url: string;
  adminHeader: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal (SIGTERM by default) without waiting. */
  signal(name?: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

function spawnServer(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-server-'));
  const child: Child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { output: '' };
  const collect = (chunk: Buffer) => {
    state.output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, dataDir, state, exited };
}

/** Runs the server until it exits by itself (a start that must fail); kills it after `timeoutMs`. */
export async function runServerToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const { child, dataDir, state, exited } = spawnServer(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  rmSync(dataDir, { recursive: true, force: true });
  return { code, output: state.output, ms: Date.now() - started };
}

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const { child, dataDir, state, exited } = spawnServer(env);
  const demo = env.DEMO !== 'false';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, adminHeader } = await new Promise<{ url: string; adminHeader: string }>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${state.output}`)), 60_000);
        const onData = () => {
          const url = /listening on (http:\/\/\S+)/.exec(state.output)?.[1];
          const header = /Authorization: (Basic \S+)/.exec(state.output)?.[1];
          if (url && (header || !demo)) {
            clearTimeout(timer);
            resolve({ url, adminHeader: header ?? '' });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`server exited with ${code}:\n${state.output}`)));
      },
    );
    return {
      url,
      adminHeader,
      output: () => state.output,
      signal: (name = 'SIGTERM') => child.kill(name),
      exited,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
