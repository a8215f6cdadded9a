/**
 * The replayed runtime stage, started as the image would start it (CMD, as an unprivileged user,
 * with the stage's ENV), then checked: what it may not contain, the endpoints a balancer and a
 * browser use, the HEALTHCHECK command, the compiled CLI and a graceful stop.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { healthcheckCommand, parseDockerfile } from './dockerfile-parse.ts';
import { type ReplayState, replayUser, type StageState } from './replay-steps.ts';

const DEV_ONLY = ['tsx', 'vite', 'typescript', 'react', '@mantine/core', 'oidc-provider'];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Compiled files that still import `.ts` would need the tsx loader production does not have. */
function tsImports(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .filter((file) =>
      /(from\s+|import\()\s*['"]\.{1,2}\/[^'"]*\.ts['"]/.test(readFileSync(path.join(dir, file), 'utf8')),
    );
}

function contentProblems(app: string): string[] {
  const problems = DEV_ONLY.filter((name) => existsSync(path.join(app, 'node_modules', name))).map(
    (name) => `runtime has the development package ${name}`,
  );
  if (existsSync(path.join(app, 'src'))) problems.push('runtime has the TypeScript sources');
  problems.push(...tsImports(path.join(app, 'dist')).map((file) => `dist/${file} imports a .ts file`));
  return problems;
}

/** Wraps a command so it runs as the replay user (the image's USER) when this process is root. */
function asUser(words: string[]): string[] {
  const who = replayUser();
  return who ? ['setpriv', `--reuid=${who.user}`, `--regid=${who.group}`, '--clear-groups', ...words] : words;
}

async function expectOk(url: string, contains?: string) {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200 || (contains && !body.includes(contains))) {
    throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
  }
  console.log(`GET ${url} → 200`);
}

export async function probeRuntime(stage: StageState, state: ReplayState) {
  const app = path.join(stage.root, stage.workdir);
  const problems = contentProblems(app);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  // ENV values that are container paths (DATA_DIR=/data) live under the stage folder.
  const mapped = Object.fromEntries(
    Object.entries(stage.env).map(([k, v]) => [k, v.startsWith('/') ? path.join(stage.root, v) : v]),
  );
  const port = String(await freePort());
  const env = { PATH: process.env.PATH ?? '', HOME: stage.root, ...mapped, PORT: port, HOST: '127.0.0.1' };
  const [command, ...args] = asUser(stage.cmd);
  const child = spawn(command!, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in 60s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening on http/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
    const who = replayUser();
    const dataDir = mapped.DATA_DIR;
    if (who && dataDir) {
      // Files the server wrote prove which user it ran as.
      const uid = Number(execFileSync('id', ['-u', who.user], { encoding: 'utf8' }));
      const owners = readdirSync(dataDir).map((file) => statSync(path.join(dataDir, file)).uid);
      if (owners.length === 0 || owners.some((owner) => owner !== uid)) {
        throw new Error(`files in DATA_DIR are not owned by ${who.user}`);
      }
      console.log(`server runs as ${who.user}: DATA_DIR files owned by uid ${uid}`);
    }
    const base = `http://127.0.0.1:${port}`;
    await expectOk(`${base}/healthz`);
    await expectOk(`${base}/readyz`);
    await expectOk(`${base}/`, '<div id="root"');
    const header = /Authorization: (Basic \S+)/.exec(output)?.[1];
    if (header) {
      const response = await fetch(`${base}/api/call/customer-by-id/?_id=42`, {
        headers: { authorization: header },
      });
      if (response.status !== 200) throw new Error(`demo report: ${response.status}`);
      console.log('demo report with the printed token → 200');
    }
    const runtime = parseDockerfile(readFileSync(path.join(state.context, 'Dockerfile'), 'utf8')).at(-1)!;
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    if (health) {
      execFileSync(
        asUser(healthcheckCommand(health.args))[0]!,
        asUser(healthcheckCommand(health.args)).slice(1),
        {
          cwd: app,
          env,
        },
      );
      console.log('HEALTHCHECK command → exit 0');
    }
    const cli = asUser(['node', 'bin/secure-reporter.js', 'token', 'list']);
    execFileSync(cli[0]!, cli.slice(1), { cwd: app, env: { ...env, LOG_LEVEL: 'silent' }, stdio: 'ignore' });
    console.log('compiled CLI: token list → exit 0');
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`SIGTERM: the server exited with ${code}, not 0:\n${output}`);
  console.log('SIGTERM → exit 0');
}
