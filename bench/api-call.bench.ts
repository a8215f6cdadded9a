/**
 * SPEC §12's `/api/call` targets. The real server (compiled, default logging, token auth) and two
 * floors — bare Fastify + better-sqlite3 (the goals' reference) and bare `node:http` — run the
 * same statements on the same SQLite file, loaded in interleaved repetitions so a slow moment of
 * the machine falls on every side: a one-row call by primary key and a 50-row call through an
 * index on 100,000 rows, with 10 connections, then the one-row call on one connection, where the
 * median latency difference is the per-call overhead.
 */
import { join } from 'node:path';
import { createConnection, createReport } from './bench-admin.ts';
import { benchConfig } from './bench-config.ts';
import {
  createItemDatabase,
  FIFTY_ROWS_REPORT_SQL,
  ITEM_GROUP,
  ITEM_ID,
  ONE_ROW_REPORT_SQL,
  ROWS_PER_GROUP,
} from './bench-data.ts';
import { type Child, createToken, startApp, startFloor, stopChild } from './bench-processes.ts';
import { formatSpread, type GoalResult, spread, tableRow, verdict } from './bench-stats.ts';
import { type Measurement, measure } from './load.ts';

const ONE_ROW_GOAL = 0.5;
const FIFTY_ROWS_GOAL = 0.7;
const OVERHEAD_GOAL_MS = 0.1;

const SIDES = ['app', 'fastify', 'nodeHttp'] as const;
type Side = (typeof SIDES)[number];
const LABELS: Record<Side, string> = {
  app: 'Secure Reporter',
  fastify: 'Fastify floor',
  nodeHttp: 'node:http',
};

interface Target {
  url: string;
  headers: Record<string, string>;
}
type Targets = Record<Side, Target>;
type Scenario = { oneRow: Targets; fiftyRows: Targets };

/** One request each before loading, so a broken endpoint fails loudly instead of benchmarking 401s. */
async function checkEndpoint(label: string, target: Target, rows: number): Promise<void> {
  const response = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(10_000) });
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
    body.records.length !== rows
  ) {
    throw new Error(`${label} answered ${response.status}, expected ${rows} records: ${text.slice(0, 500)}`);
  }
}

/** Interleaved repetitions: app, Fastify, node:http, app, … */
async function load(name: string, targets: Targets, connections: number, sides: readonly Side[] = SIDES) {
  const results = { app: [], fastify: [], nodeHttp: [] } as Record<Side, Measurement[]>;
  for (let rep = 1; rep <= benchConfig.repetitions; rep++) {
    for (const side of sides) {
      process.stderr.write(`${name}, ${connections} connection(s), repetition ${rep}: ${LABELS[side]}…\n`);
      const options = { ...targets[side], connections, durationSeconds: benchConfig.roundSeconds };
      results[side].push(await measure({ ...options, warmUpSeconds: benchConfig.warmUpSeconds }));
    }
  }
  return results;
}

function printLoad(
  title: string,
  results: Record<Side, Measurement[]>,
  sides: readonly Side[] = SIDES,
): void {
  console.log(`\n${title}`);
  console.log(tableRow('', ['req/s min / median / max', 'p50 ms min / median / max']));
  for (const side of sides) {
    const rounds = results[side];
    const failed = rounds.reduce((sum, round) => sum + round.errors + round.non2xx, 0);
    console.log(
      tableRow(LABELS[side], [
        formatSpread(spread(rounds.map((round) => round.requestsPerSecond)), 0),
        formatSpread(spread(rounds.map((round) => round.p50Ms)), 3),
      ]) + (failed > 0 ? `   ${failed} failed requests` : ''),
    );
  }
}

/** Ratios per repetition (app over a floor in the same repetition), summarised. */
function ratio(results: Record<Side, Measurement[]>, floor: Side) {
  const values = results.app.map(
    (round, index) => round.requestsPerSecond / (results[floor][index]?.requestsPerSecond ?? Number.NaN),
  );
  return spread(values);
}

function throughputGoal(title: string, results: Record<Side, Measurement[]>, goal: number): GoalResult {
  const fastify = ratio(results, 'fastify');
  const nodeHttp = ratio(results, 'nodeHttp');
  console.log(
    `app / Fastify floor: ${formatSpread(fastify, 3)} (goal ≥ ${goal}) ${verdict(fastify.median >= goal)}; ` +
      `app / node:http: ${formatSpread(nodeHttp, 3)}`,
  );
  return {
    goal: `${title}: req/s ≥ ${goal} × Fastify floor`,
    measured: `${fastify.median.toFixed(3)} (${formatSpread(fastify, 3)})`,
    pass: fastify.median >= goal,
  };
}

function overheadGoal(results: Record<Side, Measurement[]>): GoalResult {
  const overhead = spread(
    results.app.map((round, index) => round.p50Ms - (results.fastify[index]?.p50Ms ?? Number.NaN)),
  );
  const pass = overhead.median < OVERHEAD_GOAL_MS;
  console.log(
    `per-call overhead over the Fastify floor (p50 difference): ${formatSpread(overhead, 3)} ms ` +
      `(goal < ${OVERHEAD_GOAL_MS} ms) ${verdict(pass)}`,
  );
  return {
    goal: `one-row /api/call: per-call overhead < ${OVERHEAD_GOAL_MS} ms (1 connection)`,
    measured: `${overhead.median.toFixed(3)} ms (${formatSpread(overhead, 3)})`,
    pass,
  };
}

/** The server's side of the scenarios: a SQLite connection to the bench file and two reports. */
async function setUpApp(appUrl: string, env: NodeJS.ProcessEnv, dbFile: string) {
  const admin = await createToken(env, 'bench-admin', 'admin');
  await createConnection(appUrl, admin, {
    name: 'bench-items',
    driver: 'sqlite',
    settings: { file: dbFile },
    statement_timeout_ms: 10_000,
  });
  const field = (name: string) => ({ name, label: name, type: 'integer', required: true });
  const report = (name: string, sql: string, fieldName: string) =>
    createReport(appUrl, admin, {
      name,
      cluster: 'bench-items',
      groups: ['*'],
      sql,
      fields: [field(fieldName)],
    });
  return {
    oneRow: await report('Bench one row', ONE_ROW_REPORT_SQL, '_id'),
    fiftyRows: await report('Bench fifty rows', FIFTY_ROWS_REPORT_SQL, '_grp'),
    authorization: await createToken(env, 'bench', '*'),
  };
}

async function scenarios(dataDir: string, children: Child[]): Promise<Scenario> {
  const dbFile = join(dataDir, 'bench-items.sqlite');
  createItemDatabase(dbFile);
  const app = await startApp(dataDir);
  children.push(app.child);
  const { oneRow, fiftyRows, authorization } = await setUpApp(app.url, app.env, dbFile);
  const fastify = await startFloor('bench/fastify-floor-server.ts', dbFile);
  children.push(fastify.child);
  const nodeHttp = await startFloor('bench/baseline-server.ts', dbFile);
  children.push(nodeHttp.child);
  const targets = (appPath: string, floorPath: string): Targets => ({
    app: { url: `${app.url}/api/call/${appPath}`, headers: { authorization } },
    fastify: { url: `${fastify.url}${floorPath}`, headers: {} },
    nodeHttp: { url: `${nodeHttp.url}${floorPath}`, headers: {} },
  });
  return {
    oneRow: targets(`${oneRow}/?_id=${ITEM_ID}`, `/item?id=${ITEM_ID}`),
    fiftyRows: targets(`${fiftyRows}/?_grp=${ITEM_GROUP}`, `/items?grp=${ITEM_GROUP}`),
  };
}

/** Runs the `/api/call` scenarios in `dataDir`, prints them, and returns their goals. */
export async function runApiCallBench(dataDir: string): Promise<GoalResult[]> {
  const children: Child[] = [];
  try {
    const { oneRow, fiftyRows } = await scenarios(dataDir, children);
    for (const side of SIDES) {
      await checkEndpoint(LABELS[side], oneRow[side], 1);
      await checkEndpoint(LABELS[side], fiftyRows[side], ROWS_PER_GROUP);
    }
    const { connections, repetitions, roundSeconds } = benchConfig;
    const shape = `${connections} connections, ${repetitions} × ${roundSeconds} s per side`;
    const one = await load('one row', oneRow, connections);
    const single = await load('one row', oneRow, 1);
    const fifty = await load('50 rows', fiftyRows, connections);
    printLoad(`one-row /api/call (primary key; token auth, default logging), ${shape}`, one);
    const goals = [throughputGoal('one-row /api/call', one, ONE_ROW_GOAL)];
    printLoad(`one-row /api/call on one connection, ${repetitions} × ${roundSeconds} s per side`, single);
    goals.push(overheadGoal(single));
    printLoad(`50 rows × 4 columns (indexed filter on 100,000 rows), ${shape}`, fifty);
    goals.push(throughputGoal('50-row /api/call', fifty, FIFTY_ROWS_GOAL));
    return goals;
  } finally {
    await Promise.all(children.map((child) => stopChild(child)));
  }
}
