/**
 * Child processes for the benchmarks: the real server as production runs it (the compiled
 * `dist/main.js`, built by `npm run bench`) on a private DATA_DIR, the CLI, and helpers to wait for
 * them and stop them. Everything listens on 127.0.0.1 only.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const STARTUP_TIMEOUT_MS = 60_000;
const CLI_TIMEOUT_MS = 60_000;

const execFileAsync = promisify(execFile);
/** Children run from the repository root, wherever `npm run bench` was started. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Child {
  process: ChildProcess;
  /** The last few kilobytes of the child's output, shown when it fails. */
  output(): string;
}

/** Runs a TypeScript file through tsx, or with `compiled` a built `.js` file as it is. */
export function startChild(args: string[], env: NodeJS.ProcessEnv, compiled = false): Child {
  const loader = compiled ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...args], { cwd: ROOT, env, stdio: 'pipe' });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { process: child, output: () => tail };
}

export async function stopChild(child: Child | undefined): Promise<void> {
  const proc = child?.process;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForHealth(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`server exited with code ${child.process.exitCode}:\n${child.output()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`server not healthy after ${STARTUP_TIMEOUT_MS / 1000} s:\n${child.output()}`);
}

/** Creates a token with the CLI and returns its Authorization header. */
export async function createToken(env: NodeJS.ProcessEnv, name = 'bench', groups = '*'): Promise<string> {
  const args = ['dist/cli/main.js', 'token', 'create', '--name', name, '--expiry', '1d'];
  const { stdout } = await execFileAsync(process.execPath, [...args, '--groups', groups], {
    cwd: ROOT,
    env,
    timeout: CLI_TIMEOUT_MS,
  });
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.trim().startsWith('{'));
  const header = line ? (JSON.parse(line) as { header?: unknown }).header : undefined;
  if (typeof header !== 'string') throw new Error(`token create printed no header:\n${stdout}`);
  return header;
}

export interface AppServer {
  child: Child;
  url: string;
  /** The environment the server runs with, for CLI calls on the same data folder. */
  env: NodeJS.ProcessEnv;
}

/** Starts the real server on a free 127.0.0.1 port with `dataDir` and waits until it is healthy. */
export async function startApp(dataDir: string): Promise<AppServer> {
  const port = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
  };
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(['dist/main.js'], env, true);
  await waitForHealth(url, child);
  return { child, url, env };
}
