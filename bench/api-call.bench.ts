/**
 * `npm run bench`: SPEC §12's first target. Loads `/api/call/customer-by-id/` on the real server
 * (token auth, one-row report) and the same query on a bare `node:http` + better-sqlite3 server,
 * in alternating rounds, and prints requests per second, latency and the ratio between them.
 * Both servers run as child processes so neither shares an event loop with the load generator.
 * Exits non-zero only when the harness itself fails; a missed target prints MISS.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, createToken, startApp, startChild, stopChild } from './bench-processes.ts';
import { type Measurement, measure } from './load.ts';

const ROUNDS = 2;
const ROUND_SECONDS = 5;
const CONNECTIONS = 10;
const CUSTOMER_ID = 42;
const TARGET_RPS_RATIO = 0.7;
const TARGET_OVERHEAD_MS = 1;

/** Starts the baseline in its own process and waits for the URL it prints. */
async function startBaseline(dbFile: string): Promise<{ child: Child; url: string }> {
  const child = startChild(['bench/baseline-server.ts', dbFile, '0'], process.env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline did not start:\n${child.output()}`)), 30_000);
    child.process.once('exit', (code) => reject(new Error(`baseline exited (${code}):\n${child.output()}`)));
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

/** One request each before loading, so a broken endpoint fails loudly instead of benchmarking 401s. */
async function checkEndpoint(label: string, url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: { ok?: unknown; records?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported below.
  }
  if (
    response.status !== 200 ||
    body.ok !== true ||
    !Array.isArray(body.records) ||
    body.records.length !== 1
  ) {
    throw new Error(`${label} answered ${response.status}, expected one record: ${text.slice(0, 500)}`);
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const fixed = (value: number, digits = 2) => value.toFixed(digits).padStart(10);

function summarise(label: string, rounds: Measurement[]): Measurement {
  const summary: Measurement = {
    requestsPerSecond: mean(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: mean(rounds.map((round) => round.p50Ms)),
    p99Ms: mean(rounds.map((round) => round.p99Ms)),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
  };
  const rps = rounds.map((round) => round.requestsPerSecond.toFixed(0)).join(' / ');
  console.log(
    `${label.padEnd(10)}${fixed(summary.requestsPerSecond, 0)}${fixed(summary.p50Ms, 3)}${fixed(summary.p99Ms, 3)}` +
      `${String(summary.errors).padStart(8)}${String(summary.non2xx).padStart(8)}   ${rps}`,
  );
  return summary;
}

/** Per-call overhead is read from one connection at a time, where latency is not queueing. */
function report(
  baselineRounds: Measurement[],
  appRounds: Measurement[],
  single: Record<'baseline' | 'app', Measurement>,
): void {
  const cpu = cpus();
  console.log(`\nNode ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores`);
  console.log(
    `${ROUNDS} rounds × ${ROUND_SECONDS} s per side, ${CONNECTIONS} connections, customer id ${CUSTOMER_ID}\n`,
  );
  console.log(
    `${''.padEnd(10)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}` +
      `${'errors'.padStart(8)}${'non2xx'.padStart(8)}   req/s per round`,
  );
  const baseline = summarise('baseline', baselineRounds);
  const app = summarise('app', appRounds);
  const ratio = app.requestsPerSecond / baseline.requestsPerSecond;
  const overhead = single.app.p50Ms - single.baseline.p50Ms;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(
    `\napp/baseline req/s: ${ratio.toFixed(3)} (target ≥ ${TARGET_RPS_RATIO}) ${verdict(ratio >= TARGET_RPS_RATIO)}`,
  );
  console.log(
    `median overhead per call, 1 connection (p50 ${single.app.p50Ms.toFixed(3)} ms vs ${single.baseline.p50Ms.toFixed(3)} ms): ` +
      `${overhead.toFixed(3)} ms (target < ${TARGET_OVERHEAD_MS} ms) ${verdict(overhead < TARGET_OVERHEAD_MS)}`,
  );
  if (app.errors + app.non2xx + baseline.errors + baseline.non2xx > 0) {
    console.log('warning: some requests failed during the rounds; the figures above include them');
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'secure-reporter-bench-'));
  let app: Child | undefined;
  let baseline: Child | undefined;
  const cleanUp = async () => {
    await Promise.all([stopChild(app), stopChild(baseline)]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const interrupt = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const server = await startApp(dataDir);
    app = server.child;
    const { env, url: appUrl } = server;
    const dbFile = join(dataDir, 'demo.sqlite');
    if (!existsSync(dbFile)) throw new Error(`the server did not create ${dbFile}`);
    const authorization = await createToken(env);
    const started = await startBaseline(dbFile);
    baseline = started.child;
    const targets = {
      baseline: { url: `${started.url}/customer?id=${CUSTOMER_ID}`, headers: {} },
      app: { url: `${appUrl}/api/call/customer-by-id/?_id=${CUSTOMER_ID}`, headers: { authorization } },
    };
    await checkEndpoint('baseline', targets.baseline.url, targets.baseline.headers);
    await checkEndpoint('app', targets.app.url, targets.app.headers);
    const results = { baseline: [] as Measurement[], app: [] as Measurement[] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of ['baseline', 'app'] as const) {
        process.stderr.write(`round ${round}/${ROUNDS}: ${side}…\n`);
        const options = { ...targets[side], connections: CONNECTIONS, durationSeconds: ROUND_SECONDS };
        results[side].push(await measure(options));
      }
    }
    const single = {} as Record<'baseline' | 'app', Measurement>;
    for (const side of ['baseline', 'app'] as const) {
      process.stderr.write(`one connection: ${side}…\n`);
      single[side] = await measure({ ...targets[side], connections: 1, durationSeconds: ROUND_SECONDS });
    }
    report(results.baseline, results.app, single);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
