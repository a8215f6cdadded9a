/**
 * SPEC §12's streaming targets: rows × 5 columns from a stored PostgreSQL table through
 * `/api/call/<report>/<format>/` in CSV and JSON (NDJSON and XLSX beside them), against
 * `psql -c "\copy (…) to stdout csv"` of the same statement on the same table; and the server's
 * peak RSS (VmHWM) per format, each format from a fresh start of the server.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createReport } from './bench-admin.ts';
import { benchConfig } from './bench-config.ts';
import { type Child, createToken, pinned, startApp, stopChild } from './bench-processes.ts';
import { formatSpread, type GoalResult, spread, tableRow, verdict } from './bench-stats.ts';
import {
  BENCH_DATABASE,
  ensureBenchTable,
  PSQL_ARGS,
  postgresAvailable,
  READER,
  streamQuery,
} from './pg-bench-table.ts';

const RATIO_GOAL = 0.5;
const RSS_GOAL_MB = 150;
const FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];
/** Formats the throughput goal applies to; the others are reported beside them. */
const GOALS: readonly Format[] = ['csv', 'json'];

interface Run {
  seconds: number;
  bytes: number;
}

/** Runs psql on the load core, reading its output as the app's downloads are read. */
function timePsql(query: string): Promise<Run> {
  const copy = `\\copy (${query}) to stdout csv`;
  const [command, args] = pinned(benchConfig.loadCore, 'psql', [
    ...PSQL_ARGS,
    '-d',
    BENCH_DATABASE,
    '-c',
    copy,
  ]);
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
        : reject(new Error(`psql exited ${code}`)),
    );
  });
}

async function timeDownload(url: string, authorization: string): Promise<Run> {
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

/** A first start creates the store, the connection and the report; later starts find them. */
async function setUp(dataDir: string, query: string): Promise<{ slug: string; authorization: string }> {
  const app = await startApp(dataDir);
  try {
    const authorization = await createToken(app.env, 'stream-bench', 'admin');
    await createConnection(app.url, authorization, {
      name: 'bench-pg',
      driver: 'postgres',
      settings: { host: '127.0.0.1', user: READER, database: BENCH_DATABASE },
      statement_timeout_ms: 600_000,
    });
    const slug = await createReport(app.url, authorization, {
      name: 'Stored rows',
      cluster: 'bench-pg',
      groups: ['admin'],
      sql: query,
    });
    return { slug, authorization };
  } finally {
    await stopChild(app.child);
  }
}

/** One fresh server per format: its downloads, then its peak RSS. */
async function measureFormat(dataDir: string, format: Format, slug: string, authorization: string) {
  let child: Child | undefined;
  try {
    const app = await startApp(dataDir);
    child = app.child;
    const url = `${app.url}/api/call/${slug}/${format === 'json' ? '' : `${format}/`}`;
    const runs: Run[] = [];
    const repetitions = format === 'xlsx' ? benchConfig.xlsxRepetitions : benchConfig.repetitions;
    for (let rep = 1; rep <= repetitions; rep++) {
      process.stderr.write(`stream ${format}, repetition ${rep}…\n`);
      runs.push(await timeDownload(url, authorization));
    }
    return { runs, rssMb: peakRssMb(app.child.process.pid ?? 0) };
  } finally {
    await stopChild(child);
  }
}

function printRuns(label: string, runs: Run[], psqlMedian: number): void {
  const rowsPerSecond = spread(runs.map((run) => benchConfig.streamRows / run.seconds));
  const seconds = spread(runs.map((run) => run.seconds));
  const cells = [
    formatSpread(seconds, 2),
    formatSpread(rowsPerSecond, 0),
    ((runs[0]?.bytes ?? 0) / 1e6).toFixed(1),
    (psqlMedian / seconds.median).toFixed(3),
  ];
  console.log(`${tableRow(label, cells)}   ${runs.length} runs`);
}

function goalsOf(results: Map<Format, { runs: Run[]; rssMb: number }>, psqlMedian: number): GoalResult[] {
  const rows = benchConfig.streamRows.toLocaleString('en');
  const goals: GoalResult[] = [];
  for (const format of GOALS) {
    const median = spread(results.get(format)?.runs.map((run) => run.seconds) ?? []).median;
    const ratio = psqlMedian / median;
    goals.push({
      goal: `${rows} rows ${format.toUpperCase()}: throughput ≥ ${RATIO_GOAL} × psql \\copy`,
      measured: `${ratio.toFixed(3)} (${median.toFixed(2)} s vs ${psqlMedian.toFixed(2)} s)`,
      pass: ratio >= RATIO_GOAL,
    });
  }
  for (const format of FORMATS) {
    const rss = results.get(format)?.rssMb ?? Number.NaN;
    goals.push({
      goal: `peak RSS streaming ${rows} rows ${format.toUpperCase()} < ${RSS_GOAL_MB} MB`,
      measured: `${rss.toFixed(0)} MB`,
      pass: rss < RSS_GOAL_MB,
    });
  }
  return goals;
}

function printStreaming(
  psqlRuns: Run[],
  results: Map<Format, { runs: Run[]; rssMb: number }>,
  psqlMedian: number,
) {
  const { streamRows } = benchConfig;
  console.log(
    `\n${streamRows.toLocaleString('en')} rows × 5 columns from the stored table ${BENCH_DATABASE}.bench_rows`,
  );
  console.log(tableRow('', ['seconds min / med / max', 'rows/s min / med / max', 'MB', 'vs psql (median)']));
  printRuns('psql \\copy', psqlRuns, psqlMedian);
  for (const format of FORMATS)
    printRuns(`app ${format.toUpperCase()}`, results.get(format)?.runs ?? [], psqlMedian);
  console.log('peak RSS (VmHWM) of the server, fresh start per format:');
  for (const format of FORMATS) {
    const rss = results.get(format)?.rssMb ?? Number.NaN;
    console.log(
      `  ${format.toUpperCase().padEnd(7)}${rss.toFixed(0).padStart(5)} MB ${verdict(rss < RSS_GOAL_MB)}`,
    );
  }
}

/** Runs the streaming scenarios in `dataDir` (skipped without PostgreSQL) and returns their goals. */
export async function runStreamingBench(dataDir: string): Promise<GoalResult[]> {
  if (!(await postgresAvailable())) {
    console.log('\nSKIP: the streaming scenarios need psql and PostgreSQL on 127.0.0.1:5432');
    return [];
  }
  await ensureBenchTable();
  const query = streamQuery(benchConfig.streamRows);
  const { slug, authorization } = await setUp(dataDir, query);
  const psqlRuns: Run[] = [];
  for (let rep = 1; rep <= benchConfig.repetitions; rep++) {
    process.stderr.write(`psql \\copy, repetition ${rep}…\n`);
    psqlRuns.push(await timePsql(query));
  }
  const results = new Map<Format, { runs: Run[]; rssMb: number }>();
  for (const format of FORMATS)
    results.set(format, await measureFormat(dataDir, format, slug, authorization));
  const psqlMedian = spread(psqlRuns.map((run) => run.seconds)).median;
  printStreaming(psqlRuns, results, psqlMedian);
  return goalsOf(results, psqlMedian);
}
