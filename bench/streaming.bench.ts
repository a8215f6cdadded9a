/**
 * SPEC §12's streaming targets: 1,000,000 rows × 5 columns from PostgreSQL through
 * `/api/call/<report>/csv/` and as JSON, against `psql \copy (…) to stdout csv` of the same query,
 * measured in one run; and the server's peak RSS (VmHWM) over the whole run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, createToken, startApp, stopChild } from './bench-processes.ts';

const ROWS = 1_000_000;
const QUERY = `select g as id, 'customer ' || g as name, (g % 100000) / 100.0 as amount,
  timestamp '2024-01-01' + g * interval '1 second' as created, g % 2 = 0 as flag
  from generate_series(1, ${ROWS}) g`;
const PSQL = ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-X', '-q'];
const READER = 'sr_bench_reader';
const TARGET_RSS_MB = 200;
const TARGET_RATIO = 0.5;

/** Runs a command, counting the bytes of its output; resolves with seconds and bytes. */
function timeCommand(command: string, args: string[]): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve({ seconds: (performance.now() - started) / 1000, bytes })
        : reject(new Error(`${command} exited ${code}`)),
    );
  });
}

async function timeDownload(url: string, authorization: string): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization } });
  if (response.status !== 200 || !response.body) throw new Error(`${url} answered ${response.status}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Uint8Array).length;
  return { seconds: (performance.now() - started) / 1000, bytes };
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function post(url: string, authorization: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}

async function main(): Promise<void> {
  try {
    await timeCommand('psql', [...PSQL, '-c', 'select 1']);
  } catch {
    console.log('SKIP: streaming benchmark needs psql and PostgreSQL on 127.0.0.1:5432');
    return;
  }
  // The report connection signs in as a least-privilege role: a superuser would be refused.
  await timeCommand('psql', [
    ...PSQL,
    '-c',
    `do $$ begin create role ${READER} login; exception when duplicate_object then null; end $$`,
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'secure-reporter-stream-'));
  let app: Child | undefined;
  try {
    const started = await startApp(dataDir);
    app = started.child;
    const { env, url: base } = started;
    const authorization = await createToken(env, 'stream-bench', 'admin');
    await post(`${base}/api/admin/connections/`, authorization, {
      name: 'bench-pg',
      driver: 'postgres',
      settings: { host: '127.0.0.1', user: READER, database: 'test' },
      statement_timeout_ms: 600_000,
    });
    await post(`${base}/api/admin/reports/`, authorization, {
      name: 'Million rows',
      cluster: 'bench-pg',
      groups: ['admin'],
      sql: QUERY,
    });
    const pid = started.child.process.pid ?? 0;
    const rssAtStart = peakRssMb(pid);
    process.stderr.write('psql \\copy…\n');
    const psql = await timeCommand('psql', [
      ...PSQL,
      '-c',
      `\\copy (${QUERY.replace(/\s+/g, ' ')}) to stdout csv`,
    ]);
    process.stderr.write('app CSV…\n');
    const csv = await timeDownload(`${base}/api/call/million-rows/csv/`, authorization);
    process.stderr.write('app JSON…\n');
    const json = await timeDownload(`${base}/api/call/million-rows/`, authorization);
    const rss = peakRssMb(pid);
    const row = (label: string, run: { seconds: number; bytes: number }) =>
      `${label.padEnd(12)}${run.seconds.toFixed(2).padStart(9)}${Math.round(ROWS / run.seconds)
        .toString()
        .padStart(12)}${(run.bytes / 1e6).toFixed(1).padStart(9)}` +
      `${(psql.seconds / run.seconds).toFixed(2).padStart(12)}`;
    console.log(`\n${ROWS.toLocaleString('en')} rows × 5 columns from PostgreSQL\n`);
    console.log(
      `${''.padEnd(12)}${'seconds'.padStart(9)}${'rows/s'.padStart(12)}${'MB'.padStart(9)}${'vs psql'.padStart(12)}`,
    );
    console.log(row('psql \\copy', psql));
    console.log(row('app CSV', csv));
    console.log(row('app JSON', json));
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    console.log(
      `\nthroughput vs psql (target ≥ ${TARGET_RATIO}): CSV ${verdict(psql.seconds / csv.seconds >= TARGET_RATIO)}, JSON ${verdict(psql.seconds / json.seconds >= TARGET_RATIO)}`,
    );
    console.log(
      `server peak RSS: ${rss.toFixed(0)} MB (after start-up ${rssAtStart.toFixed(0)} MB; target < ${TARGET_RSS_MB} MB) ${verdict(rss < TARGET_RSS_MB)}`,
    );
  } finally {
    await stopChild(app);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
