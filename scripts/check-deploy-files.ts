/**
 * Checks the deployment files against the rules they rely on, without a Docker engine:
 * compose.yaml (services, healthchecks, start order, one server key for every instance),
 * deploy/haproxy.cfg (with `haproxy -c` when haproxy is installed) and the Dockerfile's runtime
 * stage. Run by test/unit/deploy-files.test.ts; `tsx scripts/check-deploy-files.ts` prints problems.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { commandWords, healthcheckCommand, parseDockerfile } from './dockerfile-parse.ts';

type Service = Record<string, unknown> & {
  image?: string;
  build?: unknown;
  environment?: Record<string, string> | string[];
  env_file?: string | string[];
  secrets?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
};
interface Compose {
  services?: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

/** The services that run Secure Reporter: built from this repository. */
export const instancesOf = (compose: Compose) =>
  Object.entries(compose.services ?? {}).filter(([, s]) => s.build !== undefined);

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((item) => [item.split('=')[0]!, item.split('=').slice(1).join('=')]));
}

const testText = (service: Service) => [service.healthcheck?.test ?? []].flat().join(' ');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One instance's key source: a secret file shared through compose secrets, never a literal. */
function keyProblems(name: string, service: Service, compose: Compose): string[] {
  const env = environmentOf(service);
  if (env.SECRET_KEY !== undefined) return [`${name}: SECRET_KEY is written in compose.yaml; use a secret`];
  const file = env.SECRET_KEY_FILE;
  const secret = file?.startsWith('/run/secrets/') ? file.slice('/run/secrets/'.length) : undefined;
  if (!secret) return [`${name}: SECRET_KEY_FILE must name a compose secret under /run/secrets/`];
  const problems: string[] = [];
  if (!service.secrets?.includes(secret)) problems.push(`${name}: does not mount the secret ${secret}`);
  if (!compose.secrets?.[secret]) problems.push(`secret ${secret} is not declared at the top level`);
  return problems;
}

function instanceProblems(compose: Compose): string[] {
  const instances = instancesOf(compose);
  const problems: string[] = [];
  if (instances.length < 2) problems.push('compose.yaml: expected at least two Secure Reporter instances');
  const services = compose.services ?? {};
  const store = Object.entries(services).find(([, s]) => s.image?.startsWith('postgres:'));
  if (!store) problems.push('compose.yaml: no postgres service for the metadata store');
  for (const [name, service] of instances) {
    problems.push(...keyProblems(name, service, compose));
    if (!testText(service).includes('/readyz')) problems.push(`${name}: healthcheck must probe /readyz`);
    const deps = service.depends_on;
    const condition = store && deps && !Array.isArray(deps) ? deps[store[0]]?.condition : undefined;
    if (condition !== 'service_healthy') problems.push(`${name}: must wait for ${store?.[0]} healthy`);
    const env = environmentOf(service);
    if (!env.DATABASE_URL && !service.env_file) problems.push(`${name}: no DATABASE_URL`);
    if (!service.volumes?.some((v) => v.endsWith(':/data'))) problems.push(`${name}: no volume on /data`);
  }
  const [first, ...rest] = instances;
  for (const [name, service] of rest) {
    for (const key of ['image', 'env_file', 'secrets'] as const) {
      if (!same(service[key], first![1][key])) problems.push(`${name}: ${key} differs from ${first![0]}`);
    }
    const [a, b] = [environmentOf(first![1]), environmentOf(service)];
    for (const key of ['SECRET_KEY_FILE', 'DATABASE_URL']) {
      if (a[key] !== b[key]) problems.push(`${name}: ${key} differs from ${first![0]} (one key, one store)`);
    }
  }
  if (store && !testText(store[1]).includes('pg_isready'))
    problems.push('postgres: no pg_isready healthcheck');
  return problems;
}

function balancerProblems(compose: Compose, haproxyCfg: string): string[] {
  const instances = instancesOf(compose).map(([name]) => name);
  const lb = Object.entries(compose.services ?? {}).find(([, s]) => s.image?.startsWith('haproxy:'));
  if (!lb) return ['compose.yaml: no haproxy service'];
  const problems: string[] = [];
  if (!lb[1].volumes?.some((v) => v.startsWith('./deploy/haproxy.cfg:'))) {
    problems.push('lb: does not mount deploy/haproxy.cfg');
  }
  const deps = Object.keys(lb[1].depends_on ?? {});
  for (const name of instances) if (!deps.includes(name)) problems.push(`lb: does not depend on ${name}`);
  const servers = [...haproxyCfg.matchAll(/^\s*server\s+\S+\s+([\w-]+):(\d+)/gm)].map((m) => m[1]);
  if (!same([...servers].sort(), [...instances].sort())) {
    problems.push(`haproxy.cfg: servers ${servers.join(',')} are not the instances ${instances.join(',')}`);
  }
  if (!/http-check send meth GET uri \/readyz/.test(haproxyCfg))
    problems.push('haproxy.cfg: checks not /readyz');
  return problems;
}

/** `haproxy -c`; unresolvable instance names are expected outside compose. */
function haproxyProblems(cfgFile: string): string[] {
  const run = spawnSync('haproxy', ['-c', '-f', cfgFile], { encoding: 'utf8' });
  if (run.error) return []; // not installed here; CI installs it
  const warnings = run.stderr
    .split('\n')
    .filter((line) => /\[(WARNING|ALERT)\]/.test(line) && !/could not resolve address/.test(line));
  if (run.status !== 0 || warnings.length > 0) return [`haproxy -c: ${run.stderr.trim()}`];
  return [];
}

function dockerfileProblems(text: string): string[] {
  const runtime = parseDockerfile(text).at(-1);
  if (!runtime) return ['Dockerfile: no stage'];
  const find = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
  const problems: string[] = [];
  const user = find('USER').at(-1)?.args;
  if (!user || user === 'root' || user === '0') problems.push('Dockerfile: the runtime stage runs as root');
  if (!find('EXPOSE').some((i) => i.args === '8080')) problems.push('Dockerfile: does not EXPOSE 8080');
  if (!find('VOLUME').some((i) => i.args === '/data')) problems.push('Dockerfile: no VOLUME /data');
  if (!find('ENV').some((i) => i.args === 'DATA_DIR=/data'))
    problems.push('Dockerfile: DATA_DIR is not /data');
  const health = find('HEALTHCHECK')[0];
  if (!health || !healthcheckCommand(health.args).includes('/healthz')) {
    problems.push('Dockerfile: no HEALTHCHECK on /healthz');
  }
  const cmd = find('CMD').at(-1);
  if (!cmd || !same(commandWords(cmd.args), ['node', 'dist/main.js'])) {
    problems.push('Dockerfile: CMD is not node dist/main.js');
  }
  return problems;
}

export function checkDeployFiles(root: string): string[] {
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
  const compose = parse(read('compose.yaml'), { merge: true }) as Compose;
  const haproxyCfg = read('deploy/haproxy.cfg');
  return [
    ...instanceProblems(compose),
    ...balancerProblems(compose, haproxyCfg),
    ...haproxyProblems(path.join(root, 'deploy/haproxy.cfg')),
    ...dockerfileProblems(read('Dockerfile')),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkDeployFiles(path.resolve(fileURLToPath(import.meta.url), '../..'));
  for (const problem of problems) console.error(problem);
  console.log(problems.length === 0 ? 'Deployment files check out' : `${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
