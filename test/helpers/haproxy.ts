/**
 * A real HAProxy in front of server instances: round robin, each backend health-checked on
 * `/readyz` as a production load balancer would be. The config is written to a temporary
 * directory and `haproxy -db` runs in the foreground as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call } from './http-call.ts';

export const HAPROXY_BIN = '/usr/sbin/haproxy';
export const haproxyInstalled = () => existsSync(HAPROXY_BIN);

/** The response header naming the instance that answered (`i0`, `i1`, …). */
export const SERVER_HEADER = 'x-fleet-server';

export interface Haproxy {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The haproxy.cfg of docs/fleet.md, with test-sized check intervals. */
export function haproxyConfig(port: number, backends: readonly string[]): string {
  const servers = backends.map((url, i) => `  server i${i} ${new URL(url).host} check`);
  return [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend fleet',
    `  bind 127.0.0.1:${port}`,
    // Replace, not append: a client must not choose the address its failures are counted under.
    '  http-request set-header X-Forwarded-For %[src]',
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 500ms fall 2 rise 1',
    `  http-response set-header ${SERVER_HEADER} %[srv_name]`,
    ...servers,
    '',
  ].join('\n');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

/** Starts HAProxy and waits until it answers `/readyz` from every backend. */
export async function startHaproxy(backends: readonly string[]): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sr-haproxy-'));
  const port = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, backends));
  const child = spawn(HAPROXY_BIN, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilEveryBackendAnswers(url, backends.length, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return { url, stop };
}

async function untilEveryBackendAnswers(url: string, count: number, exited: () => boolean) {
  const seen = new Set<string>();
  for (let i = 0; i < 150 && seen.size < count; i++) {
    if (exited()) throw new Error('haproxy exited');
    try {
      const response = await call(url, '/readyz');
      const server = response.headers[SERVER_HEADER];
      if (response.status === 200 && typeof server === 'string') seen.add(server);
    } catch {
      // Not listening yet.
    }
    if (seen.size < count) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (seen.size < count) throw new Error(`haproxy: only ${[...seen].join(', ')} of ${count} backends up`);
}
