/**
 * Child processes for the benchmarks: the real server as production runs it (the compiled
 * `dist/main.js`, built by `npm run bench`, default log level) on a private DATA_DIR, the floor
 * servers, the CLI, and helpers to wait for them and stop them. Servers run on the server core
 * and the benchmark process (the load generator) on the other, when `taskset` can pin them.
 * Everything listens on 127.0.0.1 only.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchConfig } from './bench-config.ts';

const STARTUP_TIMEOUT_MS = 60_000;
const CLI_TIMEOUT_MS = 60_000;
const HEALTH_POLL_MS = 5;

const execFileAsync = promisify(execFile);
/** Children run from the repository root, wherever `npm run bench` was started. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every child still running, so an interrupted benchmark leaves no server behind. */
const running = new Set<ChildProcess>();

/** Stops every child still running (SIGTERM); for signal handlers. */
export function killChildren(): void {
  for (const child of running) child.kill('SIGTERM');
}

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface Child {
  process: ChildProcess;
  /** The last few kilobytes of the child's output, shown when it fails. */
  output(): string;
}

/** `[command, ...args]` behind `taskset -c <core>` when pinning is possible. */
export function pinned(core: string | undefined, command: string, args: string[]): [string, string[]] {
  return core === undefined ? [command, args] : ['taskset', ['-c', core, command, ...args]];
}

/** Moves every thread of this process (autocannon, fetch, psql's reader) to the load core. */
export function pinSelf(): void {
  if (benchConfig.loadCore === undefined) return;
  execFileSync('taskset', ['-a', '-cp', benchConfig.loadCore, String(process.pid)], { stdio: 'ignore' });
}

/**
 * Runs a TypeScript file through tsx, or with `compiled` a built `.js` file as it is, on the
 * server core. `taskset` execs node, so the child's pid is the server's own (for /proc reads).
 */
export function startChild(args: string[], env: NodeJS.ProcessEnv, compiled = false): Child {
  const loader = compiled ? [] : ['--import', 'tsx'];
  const [command, argv] = pinned(benchConfig.serverCore, process.execPath, [...loader, ...args]);
  const child = track(spawn(command, argv, { cwd: ROOT, env, stdio: 'pipe' }));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { process: child, output: () => tail };
}

/**
 * The server writes its request log to a file, as under a supervisor: the kernel takes the
 * lines, so the load generator's core does not pay for reading them through a pipe.
 */
function startLoggedChild(args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  const fd = openSync(logFile, 'a');
  const [command, argv] = pinned(benchConfig.serverCore, process.execPath, args);
  const child = track(spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', fd, fd] }));
  closeSync(fd);
  return { process: child, output: () => readFileSync(logFile, 'utf8').slice(-4000) };
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

/** Polls `/healthz` every few milliseconds, so the start-up time is not rounded to the poll. */
export async function waitForHealth(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`server exited with code ${child.process.exitCode}:\n${child.output()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(HEALTH_POLL_MS);
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
  /** Milliseconds from spawning the process to its first 200 on `/healthz`. */
  startMs: number;
}

/**
 * Starts the real server as shipped (`node dist/main.js`, no LOG_LEVEL, so the default applies)
 * on a free 127.0.0.1 port with `dataDir`, and waits until it is healthy.
 */
export async function startApp(dataDir: string): Promise<AppServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...benchConfig.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  delete env.LOG_LEVEL;
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = startLoggedChild(['dist/main.js'], env, join(dataDir, 'server.log'));
  await waitForHealth(url, child);
  return { child, url, env, startMs: performance.now() - started };
}

/** Starts a floor server script (`bench/*-server.ts <db-file>`) and waits for the URL it prints. */
export async function startFloor(script: string, dbFile: string): Promise<{ child: Child; url: string }> {
  const child = startChild([script, dbFile, '0'], benchConfig.env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${child.output()}`)), 30_000);
    child.process.once('exit', (code) => reject(new Error(`${script} exited (${code}):\n${child.output()}`)));
    let printed = '';
    child.process.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const newline = printed.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(printed.slice(0, newline)) as { url: string }).url);
      } catch (error) {
        reject(error);
      }
    });
  });
  return { child, url };
}
