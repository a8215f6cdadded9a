/**
 * SPEC §12's start-up target: `node dist/main.js` (what `npm start` runs after its build) from
 * spawning the process to the first 200 on `/healthz`, on a prepared install — a DATA_DIR whose
 * store, key and demo database a first start has already created.
 */
import { benchConfig } from './bench-config.ts';
import { startApp, stopChild } from './bench-processes.ts';
import { formatSpread, type GoalResult, spread, verdict } from './bench-stats.ts';

const START_GOAL_MS = 1000;

/** Starts the server `repetitions` times on the prepared `dataDir` and returns the goal. */
export async function runStartupBench(dataDir: string): Promise<GoalResult[]> {
  // The first start prepares the install and is not counted.
  await stopChild((await startApp(dataDir)).child);
  const times: number[] = [];
  for (let rep = 1; rep <= benchConfig.repetitions; rep++) {
    process.stderr.write(`start-up, repetition ${rep}…\n`);
    const app = await startApp(dataDir);
    times.push(app.startMs);
    await stopChild(app.child);
  }
  const startMs = spread(times);
  const pass = startMs.median < START_GOAL_MS;
  console.log(
    `\nstart to first 200 on /healthz (node dist/main.js, prepared DATA_DIR): ${formatSpread(startMs, 0)} ms ` +
      `(goal < ${START_GOAL_MS} ms) ${verdict(pass)}`,
  );
  return [
    {
      goal: `start to first 200 on /healthz < ${START_GOAL_MS} ms`,
      measured: `${startMs.median.toFixed(0)} ms (${formatSpread(startMs, 0)})`,
      pass,
    },
  ];
}
